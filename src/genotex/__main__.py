"""``python -m genotex`` runs the command line."""

from genotex.cli import main

if __name__ == "__main__":
    main()
