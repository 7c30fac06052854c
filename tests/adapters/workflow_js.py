from tests.adapters._workflow import lint, run

__all__ = ["lint", "run"]
