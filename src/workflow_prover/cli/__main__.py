"""`python -m workflow_prover.cli`: the same as the `workflow-prover` command."""

from __future__ import annotations

import sys

from workflow_prover.cli.main import main

sys.exit(main())
