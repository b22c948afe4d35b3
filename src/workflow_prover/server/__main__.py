"""`python -m workflow_prover.server [options]`: the same as `workflow-prover serve [options]`."""

import sys

from workflow_prover.server.main import serve

if __name__ == "__main__":
    sys.exit(serve(sys.argv[1:]))
