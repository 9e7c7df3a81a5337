"""Time the server side of a survey page: every page of the example survey, by personal link.

Builds a few demo registrants, opens the example career survey, invites them and takes one
personal link. Each page is then requested through the test client (token lookup, the
response row, the definition, conditions, the career prefill, WTForms-free rendering of the
page template), interleaved with the floor: the survey's stop-mail page on the same link (the
same token lookup and the site's layout around a two-line template). Each page's median is
reported beside the floor's through ``measure`` (aim: a few milliseconds of server time).
"""
from __future__ import annotations

import argparse
import logging
import time
from importlib import resources

import sqlalchemy as sa

from jgrad.db import utcnow
from jgrad.demo.generate import create_registrants, ensure_role_accounts, ensure_universities
from jgrad.extensions import db
from jgrad.mail.models import OutboxMessage
from measure import percentile, report
from scratch import scratch_app


def setup() -> tuple[str, int]:
    from surveys import load_json, services
    from surveys.invitations import invite
    from surveys.targeting import Rule

    ensure_role_accounts(ensure_universities())
    db.session.commit()
    create_registrants(200)
    text = resources.files("surveys").joinpath("examples/career_wave.json").read_text("utf-8")
    survey, _ = services.store(load_json(text))
    services.set_targeting(survey, Rule(statuses=("degree_awarded",)))
    survey.open()
    db.session.commit()
    invite(survey, utcnow())
    message = db.session.scalar(sa.select(OutboxMessage).where(
        OutboxMessage.kind == "survey_invite").order_by(OutboxMessage.id).limit(1))
    return message.link_secret, len(survey.current_version.definition().pages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--database-url", help="a scratch database (default: a new SQLite file)")
    args = parser.parse_args()
    from surveys.models import Response

    with scratch_app(args.database_url, context=False, RATELIMIT_ENABLED=False,
                     SERVER_NAME_FOR_MAIL="http://bench") as (app, url, _):
        with app.app_context():
            token, pages = setup()
        logging.getLogger("jgrad.access").disabled = True  # one line per request
        client = app.test_client()
        assert client.get(f"/surveys/r?token={token}").status_code == 200
        with app.app_context():  # let every page be opened directly (as after answering)
            db.session.execute(sa.update(Response).values(page_reached=pages))
            db.session.commit()
        paths = {f"page {n + 1}": f"/surveys/r?token={token}&page={n}" for n in range(pages)}
        paths["floor: stop-mail page"] = f"/surveys/stop?token={token}"
        times: dict[str, list[float]] = {label: [] for label in paths}
        for _ in range(args.repeats):
            for label, path in paths.items():
                started = time.perf_counter()
                response = client.get(path)
                times[label].append(time.perf_counter() - started)
                assert response.status_code == 200, (path, response.status_code)
        print(f"database: {url.split(':')[0]}; {args.repeats} requests per path, interleaved")
        floor = times.pop("floor: stop-mail page")
        for label, values in times.items():
            report("survey_page", label, values, floor, database_url=args.database_url,
                   aim="a few ms of server time",
                   extra={"p95 ms": round(percentile(values, 0.95) * 1000, 2)})

if __name__ == "__main__":
    main()
