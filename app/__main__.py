import multiprocessing
import sys

from app.cli import main

# A folder of 上报包 is imported by worker processes (app.services.county.import_pool); in the bundle a
# worker starts as this executable, and freeze_support() turns it into the worker instead of a
# second copy of the program. A no-op when not frozen.
multiprocessing.freeze_support()
sys.exit(main())
