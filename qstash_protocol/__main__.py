"""``python -m qstash_protocol``: the same command line as the ``qstash-protocol`` script."""

from qstash_protocol.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
