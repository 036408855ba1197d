"""``nameko run`` without the notices every start printed (issue 18): eventlet's deprecation
notice, whose text begins with a newline that no PYTHONWARNINGS filter can match, and the
pkg_resources/DeprecationWarning noise of nameko's imports. Known, pinned, not news."""

import sys
import warnings

warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
warnings.filterwarnings("ignore", message="pkg_resources is deprecated")
warnings.filterwarnings("ignore", category=DeprecationWarning)

from nameko.cli.main import main  # noqa: E402  (after the filters: its imports warn)

if __name__ == "__main__":
    sys.exit(main())
