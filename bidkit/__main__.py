from bidkit.cli import run

run()
