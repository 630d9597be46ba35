"""``python -m waferlab`` is the ``waferlab`` command."""
from .cli import main

raise SystemExit(main())
