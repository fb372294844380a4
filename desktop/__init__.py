"""Desktop: the PySide6 user interface (windows, widgets, Qt models, the core->Qt bridge).

The only layer allowed to import Qt. The desktop app itself is built in its own issue; until
then ``lanterne`` with no subcommand prints the command-line help.
"""
