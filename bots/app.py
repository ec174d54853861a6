"""Wiring: settings -> sources, embedder, knowledge base, retriever, state store, bot."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from peerbot.bots.answering import Answerer
from peerbot.bots.bot import Bot
from peerbot.bots.capture import SOURCE_NAME as CAPTURED
from peerbot.bots.capture import Capture, with_captured
from peerbot.bots.config import Settings, SourceSettings
from peerbot.bots.curation import StoreCuration
from peerbot.bots.digest import WeeklyDigest
from peerbot.bots.gate_learning import GateRule, LearnedGate
from peerbot.bots.held import held_for_approval
from peerbot.bots.housekeeping import Housekeeping
from peerbot.bots.identity import People
from peerbot.bots.index_shipping import IndexShipping
from peerbot.bots.live import LiveKnowledge, LiveStoreSource, unvetted_policy, with_live
from peerbot.bots.policy import Thresholds
from peerbot.bots.recognition import Recognition
from peerbot.bots.rewards import Rewards
from peerbot.bots.schedule import Scheduler, jobs
from peerbot.bots.scope import ScopeGuard, learn_scope, load_scope, save_scope
from peerbot.bots.state import StateStore
from peerbot.errors import ConfigError, PeerbotError
from peerbot.indexer.build import BuildReport, Progress, build_index
from peerbot.indexer.sources.base import Source
from peerbot.indexer.sources.jsonl import JsonlThreadSource
from peerbot.indexer.sources.registry import SOURCE_TYPES
from peerbot.indexer.trust import TrustPolicy
from peerbot.knowledge.ann import IndexLayout
from peerbot.knowledge.base import KnowledgeBase
from peerbot.knowledge.calibrator import DEFAULT_PATH, Calibrator
from peerbot.knowledge.embedder import Embedder, load_embedder
from peerbot.knowledge.index_files import current_version, read_current
from peerbot.knowledge.retriever import HybridRetriever, Retriever

log = logging.getLogger(__name__)


def make_source(spec: SourceSettings, settings: Settings) -> Source:
    kind = SOURCE_TYPES[spec.type]  # checked by SourceSettings
    path = settings.resolve(spec.path) if spec.path is not None else None
    return kind.factory(path, spec.name, kind.options.model_validate(spec.options))


def captured_path(settings: Settings) -> Path:
    return settings.resolve(settings.escalation.captured_path)


def make_sources(settings: Settings, only: str | None = None, store: StateStore | None = None) -> list[Source]:
    """The configured sources, plus the answers captured from escalations (read by every reindex, even one source)."""
    specs = [s for s in settings.sources if only is None or s.name == only]
    if not specs:
        known = ", ".join(s.name for s in settings.sources) or "none"
        raise ConfigError(f"no source named {only!r} in [[sources]] (configured: {known})")
    sources = [make_source(spec, settings) for spec in specs]
    if captured_path(settings).exists():
        sources.append(JsonlThreadSource(captured_path(settings), name=CAPTURED))
    sources.append(LiveStoreSource(store, lambda: open_store(settings)))  # threads learned live from chat
    return sources


def open_store(settings: Settings, clock: Callable[[], datetime] | None = None) -> StateStore:
    """The process's state store: opened (and migrated) once here, closed by whoever opened it on exit. Rows kept
    under a configured person's other accounts are merged into the person (bots/state_identity.py)."""
    store = StateStore(settings.state_url, clock=clock) if clock else StateStore(settings.state_url)
    store.merge_accounts(People(settings.superusers).aliases())
    return store


def trust_policy(settings: Settings, store: StateStore | None = None) -> TrustPolicy:
    """Trust rules from config, and the authors who asked to be forgotten (from the process's state store;
    without one, as in `peerbot index`, the store is opened for this and closed again)."""
    if store is None:
        store = open_store(settings)
        try:
            return trust_policy(settings, store)
        finally:
            store.close()
    return TrustPolicy(
        min_kudos=settings.trust.min_kudos,
        superusers=frozenset(i for s in settings.superusers for i in (s.community_id, s.slack_id, s.discord_id) if i),
        # spammers' posts never become knowledge, like a forgotten author's
        forgotten=frozenset(store.forgotten_authors())
        | frozenset(m.lower() for m in (*store.spammers(), *settings.conversation.spammers)),
    )


def index_dir(settings: Settings) -> Path:
    return settings.resolve(settings.index.path)


def reindex(
    settings: Settings,
    embedder: Embedder,
    progress: Progress | None = None,
    only: str | None = None,
    store: StateStore | None = None,
    force: bool = False,
) -> BuildReport:
    """Rebuild from every configured source (or only one, keeping the others' entries), incrementally.

    Unless forced, a build that loses more than index.max_drop_share of the entries is refused. With
    index.publish_to = "database" the new version is also copied into the state store for the replicas.
    Without a store (`peerbot index`) one is opened for the build and closed after it."""
    if store is None:
        store = open_store(settings)
        try:
            return reindex(settings, embedder, progress, only, store, force)
        finally:
            store.close()
    policy = trust_policy(settings, store)
    report = build_index(
        make_sources(settings, only, store),
        policy,
        embedder,
        index_dir(settings),
        keep=settings.index.keep_versions,
        progress=progress,
        only_these_sources=only is not None,
        max_drop_share=None if force else settings.index.max_drop_share,
        layout=IndexLayout(ivf_from=settings.index.ivf_from, nprobe=settings.index.nprobe),
    )
    ship_index(settings, report.version, store)
    if settings.scope.enabled:  # learnt from every thread of every source, trusted or not
        relearn_scope(settings, embedder, policy, store)
    return report


def ship_index(settings: Settings, version: str, store: StateStore | None = None, *, only: bool = False) -> None:
    """Copy a published version into the state store (publish_to = "database"); `only`: drop every other copy
    there (after `peerbot forget`, so no replica can download a version that still holds the author)."""
    if settings.index.publish_to != "database":
        return
    if store is None:
        store = open_store(settings)
        try:
            return ship_index(settings, version, store, only=only)
        finally:
            store.close()
    IndexShipping(store, index_dir(settings), settings.index.keep_versions).upload(version)
    if only:
        store.drop_shipped({version})


def fetch_index(settings: Settings, store: StateStore) -> str | None:
    """A replica's side of publish_to = "database": download the newest shipped version if missing here."""
    if settings.index.publish_to != "database":
        return None
    return IndexShipping(store, index_dir(settings), settings.index.keep_versions).sync()


def scope_path(settings: Settings) -> Path:
    return settings.resolve(settings.scope.path)


def relearn_scope(
    settings: Settings, embedder: Embedder, policy: TrustPolicy, store: StateStore | None = None
) -> float:
    """Learn what the community talks about from all its threads; the learnt threshold is returned."""
    threads = [thread for source in make_sources(settings, None, store) for thread in source.threads()]
    scope = learn_scope(threads, embedder, policy, settings.scope.background_accept)
    save_scope(scope, scope_path(settings))
    return scope.learnt_threshold


def scope_guard(settings: Settings, embedder: Embedder) -> ScopeGuard | None:
    """The scope check as configured, or None when it is off or was never learnt with this model."""
    if not settings.scope.enabled:
        return None
    scope = load_scope(scope_path(settings))
    if scope is None or scope.model != embedder.name:
        return None
    return ScopeGuard(scope, embedder, settings.scope.threshold)


def has_index(settings: Settings) -> bool:
    return current_version(index_dir(settings)) is not None


def load_knowledge(
    settings: Settings, embedder: Embedder, store: StateStore | None = None
) -> tuple[KnowledgeBase, str | None]:
    """The serving knowledge base and a warning if an older version had to stand in (a running bot passes its
    store, so a hot reload reads the forgotten authors from it instead of opening a second one)."""
    loaded = read_current(index_dir(settings), model=embedder.name, dimension=embedder.dimension)
    return with_recent(KnowledgeBase.from_loaded(loaded), settings, embedder, store), loaded.warning


def with_recent(kb: KnowledgeBase, settings: Settings, embedder: Embedder, store: StateStore | None) -> KnowledgeBase:
    """`kb` plus what was learnt after its version was built: captured answers, and (with a store) live threads
    learned or retracted since."""
    if captured_path(settings).exists():
        kb = with_captured(kb, captured_path(settings), trust_policy(settings, store), embedder)
    if store is not None:
        kb = with_live(kb, store, trust_policy(settings, store), embedder)
    return kb


async def serve_current(settings: Settings, embedder: Embedder, store: StateStore, retriever: HybridRetriever) -> None:
    """Load the current version and serve it. An answer captured or a thread learnt while it loaded is not lost:
    when the served knowledge base changed meanwhile, what was learnt is applied to the new version again."""
    seen = retriever.kb
    fresh, _ = await asyncio.to_thread(load_knowledge, settings, embedder, store)
    await adopt(fresh, seen, settings, embedder, store, retriever)


async def adopt(
    fresh: KnowledgeBase,
    seen: KnowledgeBase,
    settings: Settings,
    embedder: Embedder,
    store: StateStore,
    retriever: HybridRetriever,
) -> None:
    """Serve `fresh`, loaded while `seen` was serving: if the served one changed meanwhile (an answer captured,
    a thread learnt), that is applied to `fresh` again from the captured file and the store."""
    await asyncio.to_thread(
        retriever.update,
        lambda current: fresh if current is seen else with_recent(fresh, settings, embedder, store),
    )


def load_calibrator(settings: Settings) -> Calibrator:
    path = settings.resolve(settings.answer.calibrator) if settings.answer.calibrator else DEFAULT_PATH
    return Calibrator.load(path)


def thresholds(settings: Settings) -> Thresholds:
    a = settings.answer
    return Thresholds(a.answer_threshold, a.suggest_threshold, a.max_suggestions)


def gate_rule(settings: Settings) -> GateRule:
    learning = settings.learning
    return GateRule(learning.enabled, learning.min_labels, learning.step, learning.max_shift, learning.target_precision)


def learned_gate(settings: Settings, store: StateStore) -> LearnedGate:
    """The community's answer threshold as configured plus what its feedback has taught (kept in the store)."""
    return LearnedGate(store, thresholds(settings), gate_rule(settings))


TOP_K = 5  # matches a reply is decided on


def answerer(settings: Settings, retriever: Retriever, store: StateStore | None = None) -> Answerer:
    """The answer pipeline's decision as configured (with the store: and as learnt): the dashboard's preview."""
    return Answerer(
        retriever,
        thresholds(settings),
        urgent_sentiment=settings.escalation.urgent_sentiment,
        max_question_chars=settings.answer.max_question_chars,
        top_k=TOP_K,
        gate=learned_gate(settings, store) if store is not None else None,
    )


def make_bot(
    settings: Settings,
    embedder: Embedder,
    kb: KnowledgeBase,
    clock: Callable[[], datetime] | None = None,
    store: StateStore | None = None,
) -> Bot:
    """The bot on the process's one state store (opened here when the caller has none; `Bot.close` closes it)."""
    store = store or open_store(settings, clock)
    retriever = HybridRetriever(kb, embedder, load_calibrator(settings), curation=StoreCuration(store))

    async def reindex_and_swap(only: str | None = None) -> BuildReport:
        report = await asyncio.to_thread(reindex, settings, embedder, None, only, store)
        await serve_current(settings, embedder, store, retriever)
        bot.answerer.scope = scope_guard(settings, embedder)
        return report

    async def pick_up_new_index() -> None:
        """Another process (`peerbot index`) published a version: serve it, no restart needed."""
        try:
            await asyncio.to_thread(fetch_index, settings, store)
        except (PeerbotError, OSError, ValueError) as exc:
            log.error(
                "could not download the newest index version; the current one keeps serving", extra={"error": str(exc)}
            )
        published = await asyncio.to_thread(current_version, index_dir(settings))
        seen = retriever.kb
        if published is None or published == seen.version:
            return
        try:
            fresh, warning = await asyncio.to_thread(load_knowledge, settings, embedder, store)
        except PeerbotError as exc:
            log.error("new index version not loaded; the current one keeps serving", extra={"error": str(exc)})
            return
        if fresh.version != seen.version:
            await adopt(fresh, seen, settings, embedder, store, retriever)
            bot.answerer.scope = scope_guard(settings, embedder)
            log.info("serving new index version", extra={"version": fresh.version, "warning": warning})

    recognition = Recognition(store, settings.recognition, settings.superusers)
    recognition.rewards = Rewards.from_settings(store, settings)
    bot = Bot(
        retriever,
        store,
        thresholds=thresholds(settings),
        superusers=settings.superusers,
        escalation=settings.escalation,
        recognition=recognition,
        capture=Capture(
            captured_path(settings), trust_policy(settings, store), retriever, held_for_approval(settings, store)
        ),
        community=settings.community.name,
        max_question_chars=settings.answer.max_question_chars,
        top_k=TOP_K,
        reindexer=reindex_and_swap,
        refresher=pick_up_new_index,
        event_lease_seconds=settings.state.event_lease_seconds,
        housekeeping=Housekeeping(store, settings.state),
        learning=gate_rule(settings),
        scope=scope_guard(settings, embedder),
        conversation=settings.conversation,
    )
    planned = jobs(settings.schedule, [s.name for s in settings.sources])
    if planned:
        lease = timedelta(minutes=settings.schedule.lease_minutes)
        bot.scheduler = Scheduler(store, planned, reindex_and_swap, lease=lease)

    async def forget_author(author: str) -> str:
        """Forget them everywhere and rebuild without them; their summary ("" when nothing was kept)."""
        from peerbot.bots.forget import forget_everywhere
        from peerbot.errors import UnknownAuthor

        try:
            report = await asyncio.to_thread(forget_everywhere, settings, store, author)
        except UnknownAuthor:
            await asyncio.to_thread(store.forget_author, author)  # kept out of later reindexes all the same
            return ""
        await asyncio.to_thread(reindex, settings, embedder, None, None, store, True)
        await serve_current(settings, embedder, store, retriever)
        return report.summary()

    bot.forgetter = forget_author
    if settings.live.enabled:
        bot.live = LiveKnowledge(
            store, lambda: trust_policy(settings, store), retriever, unvetted=unvetted_policy(settings)
        )
    bot.digest = WeeklyDigest(store, settings, embedder)
    bot.outbox.receipts = store.mark_rewards_sent  # a reward message delivered is never sent again
    return bot


def open_embedder(settings: Settings) -> Embedder:
    return load_embedder(settings.index.model)
