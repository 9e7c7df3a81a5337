"""Scheduled jobs: the runner, the locks that keep one runner per job, the scheduler process."""


def init_app(app) -> None:
    from jgrad.jobs.scheduler import scheduler_command

    app.cli.add_command(scheduler_command)
