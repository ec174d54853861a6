"""The `peerbot` command line (typer): index, run, chat, ask, eval, calibrate, stats, forget, init, dashboard.

It sits above the four parts: the one place that wires a chat adapter to the bot, so nothing in bots/ imports
from adapters/.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from peerbot.bots import app as wiring
from peerbot.bots.config import Settings, load_settings
from peerbot.bots.logs import setup_logging
from peerbot.bots.state import StateStore
from peerbot.cli_admins import register as register_admins
from peerbot.cli_rewards import rewards_app
from peerbot.errors import UnknownAuthor
from peerbot.indexer.build import BuildReport
from peerbot.knowledge.embedder import Embedder

app = typer.Typer(
    help="peerbot: answers with trusted community answers, escalates the rest to superusers.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", "-c", help="config.toml to use (default: $PEERBOT_CONFIG or ./config.toml)"),
]


class _State:
    settings: Settings | None = None
    config: Path | None = None
    verbose: bool = False


state = _State()


def _print_version(value: bool) -> None:
    if value:
        from peerbot import __version__

        typer.echo(f"peerbot {__version__}")
        raise typer.Exit()


@app.callback()
def _setup(
    config: ConfigOption = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
    version: Annotated[
        bool, typer.Option("--version", help="print the version and exit", is_eager=True, callback=_print_version)
    ] = False,
) -> None:
    """Config is read when a command needs it, so `--help` works even when config.toml is broken."""
    state.config, state.verbose, state.settings = config, verbose, None


def _settings() -> Settings:
    if state.settings is None:
        settings = load_settings(state.config)
        setup_logging("INFO" if state.verbose else settings.log.level)
        _ = settings.state_url  # a wrong DATABASE_URL / state.url is named before any work starts
        state.settings = settings
    return state.settings


@contextmanager
def progress_bar(label: str) -> Iterator[Progress]:
    bar = Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal and os.environ.get("PEERBOT_PROGRESS") != "1",
    )
    with bar:
        yield bar


def _build(
    settings: Settings,
    embedder: Embedder,
    only: str | None = None,
    store: StateStore | None = None,
    force: bool = False,
) -> BuildReport:
    with progress_bar("embedding") as bar:
        task = bar.add_task("embed", total=None)
        report = wiring.reindex(
            settings,
            embedder,
            lambda done, total: bar.update(task, completed=done, total=total),
            only=only,
            store=store,
            force=force,
        )
    return report


def _print_report(report: BuildReport) -> None:
    err.print(
        f"index version {report.version}: {report.entries} trusted entries from {report.threads} threads "
        f"({report.untrusted} without a trusted answer, {len(report.problems)} unreadable records; "
        f"{report.added} added, {report.changed} changed, {report.removed} removed, {report.embedded} embedded anew) "
        f"in {report.seconds:.1f}s with {report.model}"
    )
    for problem in report.problems[:20]:
        err.print(f"  skipped {problem}", markup=False, highlight=False)
    if len(report.problems) > 20:
        err.print(f"  ... and {len(report.problems) - 20} more")


@contextmanager
def _ready_bot(build_if_missing: bool = True) -> Iterator[wiring.Bot]:
    """The bot on this process's one state store, closed when the command is done."""
    settings = _settings()
    embedder = wiring.open_embedder(settings)
    store = wiring.open_store(settings)
    try:
        if wiring.fetch_index(settings, store):  # publish_to = "database": a replica takes the shared version
            err.print("Downloaded the newest index version from the state store.")
        if build_if_missing and not wiring.has_index(settings):
            err.print("No index yet: indexing the configured sources first.")
            _print_report(_build(settings, embedder, store=store))
        kb, warning = wiring.load_knowledge(settings, embedder)
        if warning:
            err.print(f"warning: {warning}", markup=False)
        yield wiring.make_bot(settings, embedder, kb, store=store)
    finally:
        store.close()


@app.command()
def index(
    source: Annotated[str | None, typer.Option(help="only this [[sources]] name")] = None,
    force: Annotated[
        bool, typer.Option("--force", help="publish even if the build drops more than index.max_drop_share")
    ] = False,
) -> None:
    """Read the community sources, keep trusted answers, embed, publish a new index version."""
    settings = _settings()
    _print_report(_build(settings, wiring.open_embedder(settings), only=source, force=force))


backfill_app = typer.Typer(help="Learn solved threads from a channel's history (platform APIs).", no_args_is_help=True)
app.add_typer(backfill_app, name="backfill")


@backfill_app.command("slack")
def backfill_slack(
    channel: Annotated[str, typer.Option("--channel", help="channel name (#help or help) or id")],
    since: Annotated[
        datetime | None, typer.Option(help="only messages from this date on (UTC)", formats=["%Y-%m-%d"])
    ] = None,
) -> None:
    """Read a Slack channel's history (needs SLACK_BOT_TOKEN); resumes where a killed run stopped."""
    from peerbot.adapters.slack_backfill import API_URL_ENV, backfill_slack, web_client
    from peerbot.bots.backfill import BackfillLedger
    from peerbot.bots.secrets import require_env

    settings = _settings()
    token = require_env("SLACK_BOT_TOKEN", purpose="peerbot backfill slack")["SLACK_BOT_TOKEN"]
    store = wiring.open_store(settings)
    try:
        with progress_bar("backfill") as bar:
            task = bar.add_task("messages", total=None)
            report = asyncio.run(
                backfill_slack(
                    web_client(token, os.environ.get(API_URL_ENV)),
                    settings,
                    BackfillLedger(settings, store),
                    channel,
                    since=since.replace(tzinfo=UTC) if since else None,
                    on_progress=lambda done: bar.update(task, completed=done),
                )
            )
    finally:
        store.close()
    err.print(report.summary(), markup=False, highlight=False)


@backfill_app.command("discord")
def backfill_discord(
    channel: Annotated[str, typer.Option("--channel", help="the text or forum channel's id")],
) -> None:
    """Read a Discord channel's threads (needs DISCORD_TOKEN); resumes where a killed run stopped."""
    from peerbot.adapters.discord_backfill import API_URL_ENV, backfill_discord
    from peerbot.adapters.discord_parse import snowflakes
    from peerbot.bots.backfill import BackfillLedger
    from peerbot.bots.secrets import require_env

    settings = _settings()
    (channel_id,) = snowflakes([channel], "--channel")
    token = require_env("DISCORD_TOKEN", purpose="peerbot backfill discord")["DISCORD_TOKEN"]
    store = wiring.open_store(settings)
    try:
        with progress_bar("backfill") as bar:
            task = bar.add_task("messages", total=None)
            report = asyncio.run(
                backfill_discord(
                    settings,
                    BackfillLedger(settings, store),
                    channel_id,
                    token=token,
                    api_base=os.environ.get(API_URL_ENV),
                    on_progress=lambda done: bar.update(task, completed=done),
                )
            )
    finally:
        store.close()
    err.print(report.summary(), markup=False, highlight=False)


live_app = typer.Typer(help="Threads learned live from chat.", no_args_is_help=True)
app.add_typer(live_app, name="live")


@live_app.command("list")
def live_list(
    status: Annotated[str, typer.Option(help="live, pending (held for review) or retracted")] = "pending",
) -> None:
    """The learned threads with this status: key, title, answer's author."""
    settings = _settings()
    store = wiring.open_store(settings)
    try:
        for row in store.live_threads(status):
            answers = [r for r in row.record.get("replies") or [] if r.get("accepted") or r.get("score")]
            who = ", ".join(str(r.get("author")) for r in answers) or "-"
            print(f"{row.key}\t{row.record.get('title', '')}\t{who}")
    finally:
        store.close()


@live_app.command("approve")
def live_approve(key: Annotated[str, typer.Argument(help="the thread's key, from `peerbot live list`")]) -> None:
    """Serve a held thread (live.unvetted = "review"); a running bot picks it up on its next timer tick."""
    from peerbot.bots.live import approve

    settings = _settings()
    store = wiring.open_store(settings)
    try:
        learned = approve(store, key, "admin", wiring.trust_policy(settings, store))
    finally:
        store.close()
    if learned is None:
        err.print(f"error: {key!r}: no learned thread has this key (peerbot live list)", markup=False)
        raise typer.Exit(2)
    err.print(f"{key}: {learned.status}", markup=False, highlight=False)


@app.command()
def forget(
    author: Annotated[str | None, typer.Argument(help="the author's community id or name")] = None,
    show: Annotated[bool, typer.Option("--list", help="list the authors kept out")] = False,
    undo: Annotated[bool, typer.Option("--undo", help="stop keeping AUTHOR out of later reindexes")] = False,
) -> None:
    """Remove an author everywhere (every kept index version, captured answers, questions, answers, points,
    badges, reviews, feedback) and keep them out of every later reindex."""
    from peerbot.bots.forget import forget_everywhere

    settings = _settings()
    store = wiring.open_store(settings)
    try:
        if show:
            for name in store.forgotten_authors():
                print(name)
            return
        if author is None:
            raise UnknownAuthor("", "name an author: peerbot forget AUTHOR (or --list)")
        if undo:
            if not store.unforget_author(author):
                raise UnknownAuthor(author, "is not forgotten, nothing to undo (peerbot forget --list shows who is)")
            err.print(
                f"{author} is no longer kept out of later reindexes. What forget deleted cannot be brought back:"
                " their records return only if the sources still have them."
            )
            return
        report = forget_everywhere(settings, store, author)
        err.print(report.summary(), markup=False)
        err.print(f"{author} will be kept out of the knowledge base; reindexing now.", markup=False)
        built = _build(settings, wiring.open_embedder(settings), store=store, force=True)  # the drop is the point
        _print_report(built)
        wiring.ship_index(settings, built.version, store, only=True)  # replicas drop the versions that held them
    finally:
        store.close()


@app.command()
def prune() -> None:
    """Housekeeping now: delete handled events older than [state] event_days and remove askers' question text
    older than [state] retention_days (counts, outcomes, points and answers stay). `peerbot run` does this
    by itself every [state] housekeeping_hours, on one replica at a time."""
    from peerbot.bots.housekeeping import Housekeeping

    settings = _settings()
    store = wiring.open_store(settings)
    try:
        pruned = Housekeeping(store, settings.state).run()
    finally:
        store.close()
    err.print(
        f"Removed {pruned.events} handled events older than {settings.state.event_days:g} days, and the text of "
        f"{pruned.questions} questions and {pruned.escalations} closed escalations older than "
        f"{settings.state.retention_days:g} days.",
        markup=False,
    )


@app.command()
def chat() -> None:
    """Answer questions typed (or piped) on standard input, one per line."""
    from peerbot.adapters.console import ConsoleAdapter
    from peerbot.bots.runtime import serve

    with _ready_bot() as bot:
        asyncio.run(serve(bot, ConsoleAdapter()))


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="the question")],
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
) -> None:
    """Answer one question and exit."""
    from peerbot.adapters.console import render, to_question
    from peerbot.bots.conversation import Question

    parsed = to_question(question, "cli") or Question(text="", asker="cli", platform="console")
    with _ready_bot() as bot:
        reply = asyncio.run(bot.handle(parsed))
        gate_status = bot.gate.status().to_dict()  # the threshold it decided with, and why
    assert reply is not None
    if as_json:
        out.print_json(
            json.dumps(
                {
                    "outcome": reply.outcome.value,
                    "text": reply.text,
                    "escalation_id": reply.escalation_id,
                    "matches": [
                        {
                            "entry_id": m.entry.id,
                            "title": m.entry.title,
                            "author": m.entry.author,
                            "url": m.entry.url,
                            "confidence": round(m.confidence, 4),
                            "reasons": m.reasons,
                        }
                        for m in reply.matches
                    ],
                    "gate": gate_status,
                }
            )
        )
    else:
        typer.echo(render(reply), nl=False)


@app.command()
def run() -> None:
    """The main job: index if needed, then serve Slack/Discord when their tokens are set, else the console."""
    from peerbot.adapters.select import choose_adapter
    from peerbot.bots.runtime import serve

    adapter = choose_adapter(_settings())
    if adapter.name == "console":
        err.print("No SLACK_BOT_TOKEN or DISCORD_TOKEN in the environment: chatting on the console.")
    with _ready_bot() as bot:
        err.print(f"peerbot is running on {adapter.name} with {len(bot.retriever.kb)} trusted entries.")
        asyncio.run(serve(bot, adapter))


@app.command()
def stats() -> None:
    """What the bot has done: questions by outcome, open escalations, index size."""
    from peerbot.bots.conversation import Question

    with _ready_bot(build_if_missing=False) as bot:
        reply = asyncio.run(bot.handle(Question(text="/stats", asker="cli")))
    assert reply is not None
    typer.echo(reply.text)


@app.command()
def leaderboard(days: Annotated[int, typer.Option(help="period in days")] = 30) -> None:
    """The superusers with the most kudos points in the period, with ranks and badges."""
    from peerbot.bots.conversation import Question

    with _ready_bot(build_if_missing=False) as bot:
        reply = asyncio.run(bot.handle(Question(text=f"/leaderboard {days}", asker="cli")))
    assert reply is not None
    typer.echo(reply.text)


@app.command()
def gate(
    reset: Annotated[
        bool, typer.Option("--reset", help="back to the configured answer_threshold; earlier labels are dropped")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
) -> None:
    """The answer threshold: as configured, as learnt from askers' feedback, and its last steps."""
    settings = _settings()
    store = wiring.open_store(settings)
    try:
        learned = wiring.learned_gate(settings, store)
        if reset:
            learned.reset(by="peerbot gate --reset")
        status, steps = learned.status(), store.gate_steps()
    finally:
        store.close()
    if as_json:
        shown = [
            {
                "at": f"{s.created_at:%Y-%m-%dT%H:%M:%S}",
                "kind": s.kind,
                "offset": round(s.offset, 4),
                "labels": s.labels,
            }
            for s in steps
        ]
        out.print_json(json.dumps({**status.to_dict(), "steps": shown}))
        return
    typer.echo(status.reason)
    for s in steps:
        right = f", {s.precision:.0%} right" if s.precision is not None else ""
        typer.echo(f"  {s.created_at:%Y-%m-%d %H:%M} {s.kind} to {s.offset:+.2f} ({s.labels} labels{right}, {s.by})")


@app.command()
def tune(
    output: Annotated[Path, typer.Option("--out", help="folder for the tuned model")] = Path(".peerbot/model"),
    minutes: Annotated[float, typer.Option(min=0.01, help="stop training after this long")] = 10.0,
    epochs: Annotated[int, typer.Option(min=1, help="passes over the pairs")] = 1,
) -> None:
    """Fine-tune the embedder on this community's own threads (title -> body and answer; no labels, CPU)."""
    from peerbot.knowledge.embedder import resolve_model
    from peerbot.knowledge.tune import training_pairs
    from peerbot.knowledge.tune import tune as fine_tune

    settings = _settings()
    embedder = wiring.open_embedder(settings)
    if not wiring.has_index(settings):
        err.print("No index yet: indexing the configured sources first.")
        _print_report(_build(settings, embedder))
    kb, _ = wiring.load_knowledge(settings, embedder)
    pairs = training_pairs([e for e in kb.entries if e.visibility == "public"])  # private threads stay out
    err.print(f"tuning {settings.index.model} on {len(pairs)} title/text pairs from {len(kb)} entries")

    def report(step: int, total: int, loss: float) -> None:
        if step % 10 == 0 or step == total:
            err.print(f"  step {step}/{total}, loss {loss:.3f}")

    target = output.resolve()
    result = fine_tune(
        str(resolve_model(settings.index.model)), pairs, target, epochs=epochs, max_minutes=minutes, progress=report
    )
    err.print(f"{result.steps} steps in {result.seconds:.0f}s; model written to {result.folder}")
    typer.echo(f'Next: set [index] model = "{result.folder}" in config.toml, then run `peerbot index`.')


@app.command()
def digest(
    topics: Annotated[bool, typer.Option(help="the top unanswered topics (embeds this week's questions)")] = True,
    html: Annotated[
        Path | None, typer.Option(help="write the one-page HTML report (the dashboard's /roi/report.html) to this file")
    ] = None,
) -> None:
    """The weekly digest for the admins, now: the last 7 complete days against the 7 before (as /roi counts
    them), the top unanswered topics and the dashboard's link, as the running bot posts it to the admin channel."""
    from peerbot.bots.digest import digest_numbers, digest_text, schedule_line

    settings = _settings()
    embedder = wiring.open_embedder(settings) if topics else None
    store = wiring.open_store(settings)
    try:
        now = store.clock()
        numbers = digest_numbers(store, settings, now, embedder)
    finally:
        store.close()
    if html is not None:
        from peerbot.bots.dashboard.report import report_html

        try:
            html.write_text(report_html(numbers, settings), encoding="utf-8")
        except OSError as exc:
            raise typer.BadParameter(f"cannot write {html}: {exc.strerror}", param_hint="--html") from exc
        err.print(
            f"The one-page report is in {html}: open it in a browser, print it to PDF.", markup=False, highlight=False
        )
        return
    typer.echo(digest_text(numbers.week, settings, numbers.gaps, settings.dashboard.public_url))
    err.print(schedule_line(settings, now), markup=False, highlight=False)


superusers_app = typer.Typer(help="Superuser tools.", no_args_is_help=True)
app.add_typer(superusers_app, name="superusers")
app.add_typer(rewards_app, name="rewards")


@superusers_app.command("suggest")
def superusers_suggest(
    min_answers: Annotated[int, typer.Option(help="trusted answers needed to be suggested")] = 3,
) -> None:
    """Members who write the most accepted / high-kudos answers, per topic: superuser candidates."""
    from peerbot.bots.recognition import suggest_superusers

    settings = _settings()
    embedder = wiring.open_embedder(settings)
    kb, _ = wiring.load_knowledge(settings, embedder)
    candidates = suggest_superusers(kb.entries, settings.superusers, min_answers=min_answers)
    if not candidates:
        typer.echo(f"Nobody outside the superusers has {min_answers} or more trusted answers yet.")
        return
    table = Table(title="Superuser candidates (not superusers yet)")
    for column in ("member", "id", "trusted answers", "accepted", "high kudos", "top topics"):
        table.add_column(column)
    for c in candidates:
        topics = ", ".join(f"{t} ({n})" for t, n in c.topics.most_common(3))
        table.add_row(c.author, c.author_id, str(c.answers), str(c.accepted), str(c.kudos_answers), topics)
    if not out.is_terminal:
        out.width = 200
    out.print(table)


register_admins(app, lambda: _settings())


class EvalProtocol(StrEnum):
    OPEN = "open"
    CANDIDATES = "candidates"


@app.command(name="eval")
def eval_(
    dataset: Annotated[Path, typer.Argument(help="BEIR-style folder: corpus.jsonl, queries.jsonl, qrels/")],
    split: Annotated[str, typer.Option(help="qrels split to score")] = "dev",
    as_json: Annotated[bool, typer.Option("--json", help="print JSON instead of a table")] = False,
    per_query: Annotated[
        Path | None, typer.Option("--per-query", help="write each query's matches, confidences, outcome (JSON lines)")
    ] = None,
    threshold: Annotated[
        float | None, typer.Option("--threshold", min=0.0, max=1.0, help="answer threshold instead of the gate's")
    ] = None,
    calibrator: Annotated[
        Path | None, typer.Option("--calibrator", help="calibrator JSON instead of the configured one")
    ] = None,
    protocol: Annotated[
        EvalProtocol,
        typer.Option(help="open: search the whole corpus; candidates: SemEval re-ranking of given candidates"),
    ] = EvalProtocol.OPEN,
    workdir: Annotated[
        Path | None, typer.Option("--workdir", help="keep the eval index here and reuse its embeddings next time")
    ] = None,
    self_calibrate: Annotated[
        bool, typer.Option("--self-calibrate", help="also score a gate set on the corpus itself, without labels")
    ] = False,
) -> None:
    """Score retrieval and the answer/escalate gate on a labelled dataset, next to same-index baselines."""
    from peerbot.bots.evaluation.report import eval_command

    eval_command(
        _settings(),
        dataset,
        split,
        protocol.value,
        threshold,
        calibrator,
        per_query,
        workdir,
        self_calibrate,
        as_json,
        out,
        err,
        progress_bar,
    )


@app.command()
def calibrate(
    dataset: Annotated[Path, typer.Argument(help="BEIR-style folder with qrels/<split>.tsv")],
    split: Annotated[str, typer.Option(help="the split to fit on (never the one you report)")] = "train",
    output: Annotated[
        Path | None,
        typer.Option("--out", help="where to write (default: the configured calibrator)"),
    ] = None,
) -> None:
    """Fit the answer-confidence calibrator on a labelled split."""
    from peerbot.bots.evaluation import calibrate as fit
    from peerbot.bots.evaluation import load_dataset
    from peerbot.knowledge.calibrator import DEFAULT_PATH

    settings = _settings()
    embedder = wiring.open_embedder(settings)
    with progress_bar("indexing") as bar:
        task = bar.add_task("index", total=None)
        calibrator = fit(
            load_dataset(dataset, split),
            embedder,
            lambda d, t: bar.update(task, completed=d, total=t),
        )
    target = output or (settings.resolve(settings.answer.calibrator) if settings.answer.calibrator else DEFAULT_PATH)
    calibrator.save(target)
    err.print(f"calibrator fit on {calibrator.trained_on} written to {target}")


@app.command()
def dashboard(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8080,
) -> None:
    """The admin's web dashboard (login with $PEERBOT_DASHBOARD_TOKEN), on the bot's state store and index."""
    from peerbot.bots.dashboard.serve import serve

    serve(_settings(), host, port, on_ready=err.print)


@app.command()
def simulate(
    days: Annotated[int, typer.Option(help="simulated days of traffic, ending now")] = 14,
    per_day: Annotated[float, typer.Option(help="questions per day, on average")] = 25,
    seed: Annotated[int, typer.Option(help="random seed")] = 7,
    force: Annotated[bool, typer.Option(help="add to a state store that already has questions")] = False,
) -> None:
    """Fill the state store with realistic simulated traffic through the real bot (for the dashboard)."""
    from peerbot.bots.simulate import run_simulation

    bot_settings = _settings()
    embedder = wiring.open_embedder(bot_settings)
    if not wiring.has_index(bot_settings):
        err.print("No index yet: indexing the configured sources first.")
        _print_report(_build(bot_settings, embedder))
    typer.echo(run_simulation(bot_settings, embedder, days=days, per_day=per_day, seed=seed, force=force))


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="where to write the files (created if needed)")] = Path("."),
    force: Annotated[bool, typer.Option(help="overwrite files that already exist")] = False,
) -> None:
    """Write a starter config.toml and the Slack app manifest (slack_manifest.yaml) into DIRECTORY."""
    from peerbot.starter import write_starter_files

    for path in write_starter_files(directory, force=force):
        err.print(f"wrote {path}", markup=False, highlight=False)
    err.print("Next: edit config.toml ([[sources]], [[superusers]]), then `peerbot index` and `peerbot run`.")
