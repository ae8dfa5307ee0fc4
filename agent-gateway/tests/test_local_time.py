"""The user's local now in the agent's instructions, and the offline model reading it back."""

from datetime import datetime
from zoneinfo import ZoneInfo

from agents import RunContextWrapper

from agent_gateway.agent import build_agent
from agent_gateway.local_time import local_now_sentence, read_local_now

AUCKLAND = ZoneInfo("Pacific/Auckland")


def test_the_sentence_states_weekday_date_time_zone_and_offset():
    now = datetime(2026, 12, 2, 22, 14, 37, tzinfo=AUCKLAND)
    sentence = local_now_sentence(now)
    assert sentence == "Today is Wednesday 2026-12-02, 22:14 in Pacific/Auckland (UTC+13:00)."
    assert read_local_now(f"Rules.\n{sentence}\nMore.") == now.replace(second=0)


def test_a_negative_offset_and_text_without_a_now():
    now = datetime(2026, 7, 1, 16, 5, tzinfo=ZoneInfo("America/Los_Angeles"))
    assert "(UTC-07:00)" in local_now_sentence(now)
    assert read_local_now(local_now_sentence(now)) == now
    assert read_local_now("Today is someday.") is None
    assert read_local_now(None) is None


async def test_the_agents_instructions_are_in_the_users_zone():
    agent = build_agent("offline", None, AUCKLAND)
    prompt = await agent.get_system_prompt(RunContextWrapper(context=None))
    now = read_local_now(prompt)
    assert now is not None
    assert now.tzinfo == AUCKLAND
