"""The documented use of the models type-checks under plain mypy --strict and pyright strict.

No pydantic plugin: tests/typing/user_script.py is what a user writes, and both checkers must
accept it as it is. A script with wrong types is checked in the same run and must be refused,
so the check can fail. Each checker runs once (they take seconds): marked ``slow``.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

SCRIPT = Path(__file__).resolve().parent / "typing" / "user_script.py"

_WRONG = """
from qstash_protocol import MessageOptions
MessageOptions(retries=[3])
MessageOptions(delay=1.5)
"""


@pytest.fixture(scope="module")
def scripts(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("typing")
    user = folder / "user_script.py"
    user.write_text(SCRIPT.read_text())
    wrong = folder / "wrong.py"
    wrong.write_text(_WRONG)
    # Plain settings: no project [tool.mypy] (which enables the pydantic plugin) applies.
    (folder / "mypy.ini").write_text("[mypy]\n")
    (folder / "pyrightconfig.json").write_text('{"typeCheckingMode": "strict"}\n')
    return user, wrong


@pytest.fixture(scope="module")
def mypy_output(scripts: tuple[Path, Path]) -> str:
    folder = scripts[0].parent
    result = subprocess.run(
        [
            *(sys.executable, "-m", "mypy", "--strict", "--config-file", "mypy.ini"),
            *("--cache-dir", str(folder / "cache"), "user_script.py", "wrong.py"),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=folder,
    )
    return result.stdout + result.stderr


@pytest.fixture(scope="module")
def pyright_output(scripts: tuple[Path, Path]) -> str:
    pyright = shutil.which("pyright", path=str(Path(sys.executable).parent))
    if pyright is None:
        pytest.fail("pyright is a test dependency: pip install -e '.[test]'")
    result = subprocess.run(
        [pyright, "--pythonpath", sys.executable, "user_script.py", "wrong.py"],
        capture_output=True,
        text=True,
        check=False,
        cwd=scripts[0].parent,
    )
    return result.stdout + result.stderr


def test_user_script_passes_mypy_strict_without_plugin(mypy_output: str) -> None:
    assert "user_script.py" not in mypy_output, mypy_output


def test_user_script_passes_pyright_strict(pyright_output: str) -> None:
    assert "user_script.py" not in pyright_output, pyright_output


def test_both_checkers_refuse_wrong_types(mypy_output: str, pyright_output: str) -> None:
    assert mypy_output.count("wrong.py:") == 2, mypy_output
    assert mypy_output.count("[arg-type]") == 2, mypy_output
    assert pyright_output.count("reportArgumentType") == 2, pyright_output
