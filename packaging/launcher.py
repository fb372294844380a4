"""Entry point of the installed (frozen) app: the same as `lanterne`, plus what freezing needs."""
import multiprocessing
import sys


def main() -> int:
    # The extraction workers are spawned processes: in a frozen app they re-run this executable,
    # and freeze_support() turns those runs into workers instead of a second window.
    multiprocessing.freeze_support()
    from desktop.app import main as app_main

    return app_main()


if __name__ == "__main__":
    sys.exit(main())
