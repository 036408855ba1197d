"""Review cases. No I/O here."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date


def case_id(project_code: str, submission: int) -> str:
    """One case per submission of a project: a redelivered or replayed event cannot open two."""
    return f"RC-{project_code}-{submission}"


@dataclass
class ReviewCase:
    id: str
    project_code: str
    submission: int
    unit: str
    name: str
    budget_total: str
    fixed_asset_investment: bool
    classified: bool
    regulation_version: str
    opened_on: date
    status: str = "open"

    @classmethod
    def open_for(cls, project_code: str, regulation_version: str, application: dict,
                 today: date) -> ReviewCase:
        """The office takes a submitted application into review (第八条)."""
        return cls(
            id=case_id(project_code, application["submission"]), project_code=project_code,
            submission=application["submission"], unit=application["unit"],
            name=application["name"], budget_total=application["budget_total"],
            fixed_asset_investment=application["fixed_asset_investment"],
            classified=application["classified"], regulation_version=regulation_version,
            opened_on=today)
