from __future__ import annotations

import pytest

from scoring.reports import AwardReport, Certificate, QuarterlyBulletin
from tests.scoring.reports.samples import (
    sample_award_report,
    sample_bulletin,
    sample_certificate,
    sample_team_certificate,
)


@pytest.fixture
def bulletin() -> QuarterlyBulletin:
    return sample_bulletin()


@pytest.fixture
def award_report() -> AwardReport:
    return sample_award_report()


@pytest.fixture
def certificate() -> Certificate:
    return sample_certificate()


@pytest.fixture
def team_certificate() -> Certificate:
    return sample_team_certificate()
