"""Live capture timings (issue 16): check-mark reaction to served, and backfill throughput.

    PYTHONPATH=. python -m benchmarks.live_capture [--model hashing-256] [--latency-ms 20]

Runs the real Slack adapter (slack-bolt) on the real bot over the tests' fake Slack (tests/adapters/): a peer
answers in a help-channel thread, the asker reacts with the check mark; timed from delivering the reaction event
until the answer is in the serving index (median of 5). Then `backfill_slack` over 1,000 threads (4,000 messages)
with the fake answering each Web API call after `--latency-ms`.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from peerbot.adapters.slack_backfill import backfill_slack, web_client
from peerbot.bots.backfill import BackfillLedger
from peerbot.bots.config import IndexSettings, Settings
from peerbot.bots.live import entry_id
from peerbot.bots.state import StateStore
from tests.adapters.fake_slack import ASKER, BOT_TOKEN, PUBLIC_HELP, running_slack
from tests.adapters.fake_slack_workspace import PEER, SlackWorkspace
from tests.conftest import make_settings


async def reaction_to_served(root: Path, model: str) -> float:
    ws = SlackWorkspace()

    def with_model(settings: Settings) -> Settings:
        return settings.model_copy(update={"index": IndexSettings(path=settings.index.path, model=model)})

    async with running_slack(root, fake=ws, settings_hook=with_model) as h:
        asked = ws.say("How do I pair the Lumo motion sensor with a Zigbee hub from another brand?")
        await h.event(asked)
        answer = ws.say("Hold the reset pin 10 s, then pair from the hub.", user=PEER, thread_ts=asked["ts"])
        await h.event(answer)
        await h.settle()
        wanted = entry_id(f"slack:{PUBLIC_HELP}:{asked['ts']}")
        started = time.perf_counter()
        await h.event(ws.react(PUBLIC_HELP, answer["ts"], ASKER, "white_check_mark"))
        while wanted not in {e.id for e in h.bot.retriever.kb.entries}:
            await asyncio.sleep(0.001)
        return time.perf_counter() - started


async def backfill_rate(root: Path, latency: float, threads: int = 1000) -> tuple[int, float]:
    ws = SlackWorkspace(latency=latency)
    for n in range(threads):
        root_ts = ws.say(f"Question {n} about gadget {n}")["ts"]
        reply = ws.say(f"Answer {n}: press the button twice.", user=PEER, thread_ts=root_ts)
        ws.say("thanks", thread_ts=root_ts)
        ws.say("same here", user="UOTHER", thread_ts=root_ts)
        ws.react(PUBLIC_HELP, reply["ts"], ASKER, "white_check_mark")
    await ws.start()
    settings = make_settings(root)
    store = StateStore(settings.state_url)
    try:
        report = await backfill_slack(
            web_client(BOT_TOKEN, ws.base_url), settings, BackfillLedger(settings, store), PUBLIC_HELP
        )
    finally:
        await ws.close()
        store.close()
    return report.messages, report.seconds


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="hashing-256")
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--threads", type=int, default=1000)
    args = parser.parse_args()
    times = []
    for _ in range(5):
        with tempfile.TemporaryDirectory() as root:
            times.append(await reaction_to_served(Path(root), args.model))
    print(
        f"check mark to served ({args.model}): median {statistics.median(times) * 1000:.0f} ms, "
        f"runs {', '.join(f'{t * 1000:.0f}' for t in times)} ms"
    )
    for latency in (0.0, args.latency_ms / 1000):
        with tempfile.TemporaryDirectory() as root:
            messages, seconds = await backfill_rate(Path(root), latency, args.threads)
        print(
            f"backfill, fake Slack latency {latency * 1000:.0f} ms/call: {messages} messages in {seconds:.1f}s = "
            f"{messages / seconds:.0f} messages/s"
        )


if __name__ == "__main__":
    asyncio.run(main())
