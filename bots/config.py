"""config.toml, read once into validated settings. Secrets never live here: see bots/secrets.py."""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from peerbot.bots.digest_time import parse_digest_time
from peerbot.bots.identity import shared_accounts
from peerbot.errors import ConfigError
from peerbot.indexer.sources.registry import SOURCE_TYPES
from peerbot.knowledge.ann import IndexLayout
from peerbot.knowledge.embedder import DEFAULT_MODEL

CONFIG_ENV = "PEERBOT_CONFIG"
DATABASE_ENV = "DATABASE_URL"
STATE_BACKENDS = ("sqlite", "postgresql", "postgres")

# Strict: a string where a number or a boolean belongs is refused, not coerced ("3", "true").
# Paths are written as strings in TOML, so they alone are converted.
TomlPath = Annotated[Path, Field(strict=False)]


SLACK_ID = re.compile(r"[CDG][A-Z0-9]{2,}")
SLACK_MEMBER = re.compile(r"[UW][A-Z0-9]{2,}")
SNOWFLAKE = re.compile(r"[0-9]{1,20}")
_EMOJI_NAME = re.compile(r"[a-z0-9_+'-]*")


def check_ids(values: list[str], key: str, what: str, pattern: re.Pattern[str]) -> None:
    bad = [v for v in values if not pattern.fullmatch(v)]
    if bad:
        raise ValueError(f"{key} lists {what}, got {', '.join(map(repr, bad))}")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class CommunitySettings(_Section):
    name: str = "Lumo Community"


class IndexSettings(_Section):
    path: TomlPath = Path(".peerbot/index")
    model: str = DEFAULT_MODEL
    keep_versions: int = Field(3, ge=1)
    max_drop_share: float = Field(0.3, ge=0.0, le=1.0)  # a build losing more of the entries is refused (--force)
    publish_to: Literal["disk", "database"] = "disk"  # database: versions travel to replicas through the state store
    ivf_from: int = Field(IndexLayout().ivf_from, ge=1)  # from this many entries on: IVF + 8-bit codes, not flat
    nprobe: int = Field(IndexLayout().nprobe, ge=1)  # IVF lists searched per question


class SourceSettings(_Section):
    name: str = Field(min_length=1)
    type: str
    path: TomlPath | None = None
    options: dict[str, Any] = {}  # checked against the source type's own options model

    @model_validator(mode="after")
    def _fits_type(self) -> SourceSettings:
        kind = SOURCE_TYPES.get(self.type)
        if kind is None:
            known = ", ".join(repr(k) for k in SOURCE_TYPES)
            raise ValueError(f"source {self.name!r}: type {self.type!r} is not one of {known}")
        if kind.needs_path and self.path is None:
            raise ValueError(f"source {self.name!r} of type {self.type!r} needs a path (a string)")
        try:
            kind.options.model_validate(self.options)
        except ValidationError as exc:
            problems = "; ".join(
                f"options.{'.'.join(str(p) for p in e['loc'])}: {e['msg'].lower()}" for e in exc.errors()
            )
            raise ValueError(f"source {self.name!r}: {problems}") from None
        return self


class TrustSettings(_Section):
    min_kudos: int = Field(5, ge=1)


class AnswerSettings(_Section):
    answer_threshold: float = Field(0.6, ge=0.0, le=1.0)
    suggest_threshold: float = Field(0.3, ge=0.0, le=1.0)
    max_suggestions: int = Field(3, ge=1, le=10)
    max_question_chars: int = Field(2000, ge=100)
    calibrator: TomlPath | None = None

    @model_validator(mode="after")
    def _ordered(self) -> AnswerSettings:
        if self.suggest_threshold > self.answer_threshold:
            raise ValueError("suggest_threshold must not be above answer_threshold")
        return self


class LearningSettings(_Section):
    """The answer threshold learns from askers' verdicts (bots/gate_learning.py)."""

    enabled: bool = True
    min_labels: int = Field(20, ge=1)  # new judged replies needed before each step
    step: float = Field(0.02, gt=0.0, le=0.2)
    max_shift: float = Field(0.1, ge=0.0, le=0.5)  # never further than this from answer_threshold
    target_precision: float = Field(0.85, gt=0.0, le=1.0)

    @model_validator(mode="after")
    def _bounded(self) -> LearningSettings:
        if self.step > self.max_shift:
            raise ValueError("step must not be above max_shift")
        return self


class Superuser(_Section):
    """One person (bots/identity.py): their accounts on the community and each chat platform, on one record."""

    name: str
    community_id: str = Field(min_length=1)  # the person's key, and their id in the community's exports
    slack_id: str | None = None
    discord_id: str | None = None

    @field_validator("slack_id")
    @classmethod
    def _slack_member(cls, value: str | None) -> str | None:
        if value is not None and not SLACK_MEMBER.fullmatch(value):
            raise ValueError(
                f"expected a Slack member id (U0123ABCD, from the profile's Copy member ID), got {value!r}"
            )
        return value

    @field_validator("discord_id")
    @classmethod
    def _discord_user(cls, value: str | None) -> str | None:
        if value is not None and not SNOWFLAKE.fullmatch(value):
            raise ValueError(f"expected a Discord user id (a number, from Copy User ID), got {value!r}")
        return value


class StateSettings(_Section):
    url: str = "sqlite:///.peerbot/peerbot.db"
    event_lease_seconds: float = Field(60.0, gt=0)  # a replica that dies holding an event: another takes it after
    retention_days: float = Field(90.0, gt=0)  # askers' question text kept this long, then removed (counts stay)
    event_days: float = Field(7.0, gt=0)  # handled events kept this long to recognise a platform's redelivery
    housekeeping_hours: float = Field(24.0, gt=0)  # pruning runs this often, on one replica at a time


class EscalationSettings(_Section):
    ladder_minutes: list[float] = [30.0, 60.0]  # unclaimed this long: ping the next expert, then everyone
    expire_hours: float = Field(72.0, gt=0)  # open this long without an answer: expired
    max_open_per_superuser: int = Field(3, ge=1)  # experts at the cap are skipped by routing
    urgent_sentiment: float = Field(-0.5, ge=-1.0, le=0.0)  # VADER compound at or below: urgent
    captured_path: TomlPath = Path(".peerbot/captured.jsonl")  # answers captured from escalations, kept by reindex

    @model_validator(mode="after")
    def _positive_steps(self) -> EscalationSettings:
        if any(step <= 0 for step in self.ladder_minutes):
            raise ValueError("ladder_minutes must all be greater than 0")
        return self


class ScopeSettings(_Section):
    enabled: bool = True  # questions far from everything the community talks about get a polite "not here"
    threshold: float | None = Field(None, ge=-1.0, le=1.0)  # unset: the one learnt by the last index build
    background_accept: float = Field(0.05, ge=0.0, le=1.0)  # learning: share of everyday questions let in
    path: TomlPath = Path(".peerbot/scope.npz")  # the learnt scope, rewritten by every index build


class ConversationSettings(_Section):
    merge: bool = True  # a question close to an open escalation's (the answers' calibrated matching) joins it
    urgent_askers: int = Field(3, ge=2)  # this many askers waiting: urgent, and the ladder's next step is due now
    max_escalations_per_hour: int = Field(3, ge=1)  # per member; more questions that hour ping nobody
    spammers: list[str] = []  # member ids (as the platform sends them) whose messages are ignored
    followups: bool = True  # the asker's replies in the bot's thread: "didn't work", "thanks", more detail


class RecognitionSettings(_Section):
    claimed_points: int = Field(2, ge=0)
    answered_points: int = Field(5, ge=0)
    accepted_points: int = Field(10, ge=0)
    deflection_points: int = Field(3, ge=0)  # a bot answer built on their content solved a question
    ranks: dict[str, int] = {"Newcomer": 0, "Helper": 20, "Expert": 100, "Legend": 500}
    solutions_badge: int = Field(10, ge=1)  # accepted answers for the "10 Solutions" badge
    fast_minutes: float = Field(15.0, gt=0)  # answered within this of the escalation: "Fast Responder"


class RewardTier(_Section):
    """A `[[rewards]]` tier: reached at a number of points or at a rank; a voucher, the club or a thank-you."""

    name: str = Field(min_length=1, max_length=64)
    points: int | None = Field(None, ge=0)
    rank: str | None = None
    kind: Literal["voucher", "club", "thanks"] = "thanks"
    pool: str | None = Field(None, min_length=1, max_length=64)  # voucher: the pool its codes come from
    message: str = ""

    @model_validator(mode="after")
    def _complete(self) -> RewardTier:
        if (self.points is None) == (self.rank is None):
            raise ValueError(f"reward {self.name!r}: give either points or rank")
        if self.kind == "voucher" and self.pool is None:
            raise ValueError(f"reward {self.name!r}: a voucher needs a pool (filled by `peerbot rewards import`)")
        return self


class ClubSettings(_Section):
    discord_role: str | None = None  # role id given to club members (the bot needs Manage Roles, above the role)
    slack_usergroup: str | None = None  # user group id (S...) club members join (usergroups:read, usergroups:write)


class VoucherSettings(_Section):
    low_stock: int = Field(3, ge=0)  # the admins are warned when a pool has this many codes left (and when empty)


class SlackSettings(_Section):
    mode: Literal["socket", "http"] = "socket"
    port: int = Field(3000, ge=1, le=65535)  # HTTP mode: where the Events API endpoint listens
    help_channels: list[str] = []  # channel ids where every top-level message is a question
    escalation_channel: str | None = None  # channel id where superusers are pinged
    announce_channel: str | None = None  # ranks and badges are announced here (default: the escalation channel)
    admin_channel: str | None = None  # voucher stock warnings (default: the escalation channel)
    dm_superusers: bool = False  # also DM each pinged superuser
    admins: list[str] = []  # user ids allowed to /peerbot reindex
    working_reaction: str = "eyes"  # on the asker's message while the bot works on it; "" turns it off
    private_first_channels: list[str] = []  # channel ids where answers go to the asker first ("Show everyone")

    @model_validator(mode="after")
    def _working(self) -> SlackSettings:
        check_ids(self.private_first_channels, "private_first_channels", "Slack channel ids (C0123456789)", SLACK_ID)
        if not _EMOJI_NAME.fullmatch(self.working_reaction):
            raise ValueError(
                "working_reaction is an emoji name without colons (eyes, hourglass) or an empty string, "
                f"got {self.working_reaction!r}"
            )
        return self


class DiscordSettings(_Section):
    help_channels: list[str] = []  # text or forum channel ids where new messages/posts are questions
    escalation_channel: str | None = None
    announce_channel: str | None = None  # ranks and badges are announced here (default: the escalation channel)
    superuser_role: str | None = None  # role id pinged on escalation, besides the superusers' discord_id
    admin_channel: str | None = None  # voucher stock warnings (default: the escalation channel)
    admins: list[str] = []  # user ids allowed to /peerbot reindex besides members with Manage Server
    shard_count: int | None = Field(None, ge=1)  # the bot's shards in all (discord.py sharding), same in every process
    shard_ids: list[int] = []  # the shards this process runs (default: all of them); DMs arrive on shard 0
    private_first_channels: list[str] = []  # channel ids where /ask answers go to the asker first ("Show everyone")

    @model_validator(mode="after")
    def _shards(self) -> DiscordSettings:
        check_ids(self.private_first_channels, "private_first_channels", "Discord channel ids (numbers)", SNOWFLAKE)
        if self.shard_ids and self.shard_count is None:
            raise ValueError("shard_ids needs shard_count (the number of shards of the whole bot)")
        outside = [s for s in self.shard_ids if not 0 <= s < (self.shard_count or 0)]
        if outside:
            raise ValueError(f"shard_ids {outside} are outside 0..{(self.shard_count or 1) - 1} (shard_count)")
        if len(set(self.shard_ids)) != len(self.shard_ids):
            raise ValueError("shard_ids lists a shard twice")
        return self


class LiveSettings(_Section):
    """Learning from chat as it happens (bots/live.py): which reactions and tags say a thread is solved."""

    enabled: bool = True
    solved_emoji: list[str] = ["white_check_mark", "heavy_check_mark", "\u2705", "\u2714\ufe0f"]  # the asker's mark
    kudos_emoji: list[str] = ["+1", "thumbsup", "tada", "raised_hands", "\U0001f44d", "\U0001f389", "\U0001f64c"]
    solved_tag: str = "Solved"  # a Discord forum tag (and a "[Solved]" title) that marks a post solved
    unvetted: Literal["direct", "review"] = "direct"  # a non-superuser's reply without kudos: served, or held back


class CurationSettings(_Section):
    """The dashboard's curation of what the bot learns (bots/held.py)."""

    # answers captured from escalations and threads learned live wait for a moderator's approval in the dashboard
    approve_before_serving: bool = False


class ScheduleSettings(_Section):
    """Timed refreshes, run by the bot's own timer, one replica at a time (bots/schedule.py)."""

    sources: dict[str, float] = {}  # source name -> minutes between re-reads (`peerbot index --source NAME`)
    full_rebuild_minutes: float = Field(0.0, ge=0)  # a full reindex this often (1440: nightly); 0: never
    lease_minutes: float = Field(30.0, gt=0)  # a replica that dies mid-run: another may run it after this

    @model_validator(mode="after")
    def _positive(self) -> ScheduleSettings:
        bad = [name for name, minutes in self.sources.items() if minutes <= 0]
        if bad:
            raise ValueError(f"schedule.sources: minutes must be above 0 (got {', '.join(bad)})")
        return self


class DashboardSettings(_Section):
    session_hours: float = Field(12.0, gt=0)  # a login lasts this long (the session id lives on the server)
    case_cost: float = Field(25.0, ge=0)  # what one support case handled by staff costs (the return page)
    case_minutes: float = Field(20.0, gt=0)  # staff minutes one case takes
    currency: str = "$"
    # the weekly digest to the admin channel: "monday 09:00" (UTC) or "off"; unset: Monday 09:00 when
    # slack.admin_channel or discord.admin_channel is set, else off (bots/digest.py)
    digest: str | None = None
    public_url: str | None = None  # where admins open the dashboard (https://...): the digest links to its /roi

    @field_validator("digest")
    @classmethod
    def _digest(cls, value: str | None) -> str | None:
        if value is not None:
            parse_digest_time(value)  # a ValueError names what is expected
        return value

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("https://", "http://")):
            raise ValueError(f"expected an address starting with https://, got {value!r}")
        return value.rstrip("/") if value else value


class LogSettings(_Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "WARNING"


class Settings(_Section):
    community: CommunitySettings = CommunitySettings()
    index: IndexSettings = IndexSettings()
    sources: list[SourceSettings] = [SourceSettings(name="demo", type="demo")]
    trust: TrustSettings = TrustSettings()
    answer: AnswerSettings = AnswerSettings()
    learning: LearningSettings = LearningSettings()
    superusers: list[Superuser] = []
    escalation: EscalationSettings = EscalationSettings()
    recognition: RecognitionSettings = RecognitionSettings()
    scope: ScopeSettings = ScopeSettings()
    conversation: ConversationSettings = ConversationSettings()
    rewards: list[RewardTier] = []
    club: ClubSettings = ClubSettings()
    vouchers: VoucherSettings = VoucherSettings()
    state: StateSettings = StateSettings()
    slack: SlackSettings = SlackSettings()
    discord: DiscordSettings = DiscordSettings()
    dashboard: DashboardSettings = DashboardSettings()
    live: LiveSettings = LiveSettings()
    curation: CurationSettings = CurationSettings()
    schedule: ScheduleSettings = ScheduleSettings()
    log: LogSettings = LogSettings()
    root: TomlPath = Field(default=Path("."), exclude=True)

    @field_validator("superusers")
    @classmethod
    def _one_person_per_account(cls, superusers: list[Superuser]) -> list[Superuser]:
        problems = shared_accounts(superusers)
        if problems:
            raise ValueError("; ".join(problems))
        return superusers

    @model_validator(mode="after")
    def _rewards_fit(self) -> Settings:
        names = [t.name for t in self.rewards]
        if len(set(names)) != len(names):
            raise ValueError("rewards: tier names must be unique")
        for tier in self.rewards:
            if tier.rank is not None and tier.rank not in self.recognition.ranks:
                known = ", ".join(self.recognition.ranks)
                raise ValueError(f"reward {tier.name!r}: rank {tier.rank!r} is not one of recognition.ranks ({known})")
        return self

    def resolve(self, path: Path) -> Path:
        """Paths in config.toml are relative to the file's folder."""
        return path if path.is_absolute() else (self.root / path).resolve()

    @property
    def state_url(self) -> str:
        """$DATABASE_URL, else state.url; checked here so that an error names the one that was used."""
        key = DATABASE_ENV if os.environ.get(DATABASE_ENV) else "state.url"
        url = os.environ.get(DATABASE_ENV) or self.state.url
        prefix = "sqlite:///"
        if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
            url = prefix + str(self.resolve(Path(url[len(prefix) :])))
        check_state_url(url, key)
        return url


def check_state_url(url: str, key: str) -> None:
    """A SQLAlchemy URL for SQLite or PostgreSQL; a SQLite file's folder is created (or the error names it)."""
    from sqlalchemy.engine import make_url

    where = {"env_var": key} if key == DATABASE_ENV else {"key": key}
    try:
        backend = make_url(url).get_backend_name()
    except Exception:
        raise ConfigError(
            f"{key}: not a database URL (expected sqlite:///path/to/file.db or postgresql://user@host/db)",
            **where,
        ) from None
    if backend not in STATE_BACKENDS:
        raise ConfigError(f"{key}: peerbot keeps its state in SQLite or PostgreSQL, not {backend!r}", **where)
    if backend == "sqlite" and url.startswith("sqlite:///") and ":memory:" not in url:
        folder = Path(url.removeprefix("sqlite:///")).parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(
                f"{key}: cannot create the folder {folder} for the SQLite file ({exc.strerror or exc})", **where
            ) from None


_TYPE_WORDS = {
    str: "a string",
    int: "an integer",
    float: "a number",
    bool: "true or false",
    Path: "a path (a string)",
}


def _describe_type(annotation: Any) -> str:
    if annotation in _TYPE_WORDS:
        return _TYPE_WORDS[annotation]
    origin = get_origin(annotation)
    if origin is Literal:
        return "one of " + ", ".join(repr(a) for a in get_args(annotation))
    if origin is list:
        return "a list"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "a table"
    args = [a for a in get_args(annotation) if a is not type(None)]
    if args:
        return " or ".join(_describe_type(a) for a in args)
    return str(annotation)


def _field_at(loc: tuple[Any, ...]) -> tuple[type[BaseModel] | None, str | None]:
    """The model holding the last key of loc, and that key."""
    model: Any = Settings
    for i, part in enumerate(loc):
        if isinstance(part, int) or model is None:
            continue
        fields = model.model_fields
        if part not in fields:
            return model, str(part) if i == len(loc) - 1 else None
        if i == len(loc) - 1:
            return model, str(part)
        annotation = fields[part].annotation
        if get_origin(annotation) is list:
            annotation = get_args(annotation)[0]
        model = annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
    return None, None


def _key(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "config"


def _explain(error: Any) -> str:
    loc = tuple(p for p in error["loc"] if p not in ("function-after",))
    model, name = _field_at(loc)
    key = _key(loc)
    kind = error["type"]
    if kind == "extra_forbidden":
        known = list(model.model_fields) if model else []
        known = [k for k in known if k != "root"]
        close = difflib.get_close_matches(name or "", known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return f"{key}: unknown key (known keys here: {', '.join(known)}){hint}"
    expected = ""
    if model is not None and name in model.model_fields:
        expected = _describe_type(model.model_fields[name].annotation)
    if kind == "missing":
        return f"{key}: missing, expected {expected}"
    if kind == "value_error":
        return f"{key}: {error['msg'].removeprefix('Value error, ')}"
    given = error.get("input")
    got = f", got {given!r}" if not isinstance(given, dict | list) else ""
    detail = error["msg"][0].lower() + error["msg"][1:]
    if expected:
        return f"{key}: expected {expected}{got} ({detail})"
    return f"{key}: {detail}{got}"


def parse_settings(data: dict[str, Any], root: Path, origin: str = "config.toml") -> Settings:
    try:
        return Settings.model_validate({**data, "root": root})
    except ValidationError as exc:
        problems = "\n  ".join(_explain(e) for e in exc.errors())
        raise ConfigError(f"{origin} is not valid:\n  {problems}") from None


def load_settings(path: Path | None = None) -> Settings:
    """Read config.toml: the given path, else $PEERBOT_CONFIG, else ./config.toml, else defaults."""
    if path is None and os.environ.get(CONFIG_ENV):
        path = Path(os.environ[CONFIG_ENV])
    if path is None and Path("config.toml").exists():
        path = Path("config.toml")
    if path is None:
        return parse_settings({}, Path.cwd(), "defaults")
    data = _parse_toml(path)
    return parse_settings(data, path.resolve().parent, str(path))


def _parse_toml(path: Path) -> dict[str, Any]:
    """The file's TOML; every way it can fail is one line naming the file."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist", file=path) from None
    except IsADirectoryError:
        raise ConfigError(
            f"config file {path} is a folder, not a file: give the path of config.toml", file=path
        ) from None
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path} ({exc.strerror or exc})", file=path) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(f"config file {path} is not UTF-8 (line {line}): save it as UTF-8", file=path) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}", file=path) from None
