"""`python -m fairpath.deploy` is `python -m fairpath.deploy.cli`."""

from fairpath.deploy.cli import main

raise SystemExit(main())
