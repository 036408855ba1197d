"""A service's application context: what its use cases run against, so that a use case reads as
a sentence — ``cases.classify(caller, code=code, comments=comments)`` — and takes only the
caller and the domain arguments (issue 20; docs/architecture.md, layers).

- ``store``: the service's own database (shared.persistence.store.Store);
- ``clock``: the date source, and only that — "today" for every rule (shared.timekit; real in
  production, simulated in tests and demos, 第四条 business dates);
- ``policy``: a project's regulation by the version it was registered under
  (shared.policy.get_policy; the measures in force when it applied keep applying to it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from shared.persistence.store import Store
from shared.policy import Policy, get_policy
from shared.timekit import Clock


@dataclass(frozen=True)
class AppContext:
    store: Store
    clock: Clock
    policy: Callable[[str], Policy] = field(default=get_policy)

    def today(self) -> date:
        """Today on this service's clock (a Beijing date)."""
        return self.clock.today()
