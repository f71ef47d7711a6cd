#!/usr/bin/env python3
"""Writes the Northwind demo's resource (Sources/SPIRegister/Resources/northwind-demo.json) from two registers.

How the resource was made, once: the Swift writer it replaced (`NorthwindDemo+Writer.swift`, deleted in the same
change) filled a freshly seeded register around a fixed day; this script takes the rows that the demo added or
changed (compared with the same register before), in the order they were written, and writes every date as an
offset from that day. It is kept as the record of how the resource came about, and for a larger rework of the demo;
for small edits, edit the JSON (docs/user-guide.md, "The demo's data", explains the date placeholders).

    scripts/northwind-demo-resource.py BEFORE.db AFTER.db TODAY > Sources/SPIRegister/Resources/northwind-demo.json

Date placeholders (resolved by `NorthwindDemo.populate`, see `Sources/SPIRegister/RelativeDate.swift`):
  {today-21d}        today moved by days, then months, as SQLite's date() modifiers: YYYY-MM-DD
  {today-120d+12m}   (days first, then months, as the writer computed a next review)
  {month-3m}         today's month moved by months: YYYY-MM
  {due2+3d}          the 2nd latest due date on or before today of the row's information item, moved: YYYY-MM-DD
  {due2:period}      the reporting period of that due date (YYYY-MM for monthly items)
Rows whose id derives from a date (service-level results, deliveries) carry no id: loading gives them the id a
validated edit gives them, the UUIDv5 of their natural key.
"""
import datetime
import json
import sqlite3
import sys

DATE_COLUMNS = {
    "agreement": ["start_date", "end_date"],
    "interface": ["approved_on", "next_review"],
    "review": ["review_date"],
    "service_level_result": ["period", "recorded_on"],
    "information_delivery": ["period", "delivered_on", "ref"],
}


def day(text):
    return datetime.date.fromisoformat(text)


def signed(n, unit):
    return ("+" if n >= 0 else "") + f"{n}{unit}"


def month_index(text):
    return int(text[0:4]) * 12 + int(text[5:7]) - 1


def nth_business_day(year, month, n):
    date = datetime.date(year, month, 1)
    count = 0
    while True:
        if date.weekday() < 5:
            count += 1
            if count == n:
                return date
        date += datetime.timedelta(days=1)


def previous_dues(rule, frequency, today, count):
    """The last `count` due dates on or before today, latest first, of a monthly 'Nth business day' item."""
    words = rule.lower().split()
    if frequency != "monthly" or len(words) != 3 or words[1:] != ["business", "day"]:
        sys.exit(f"unsupported due rule for a delivery: {frequency} '{rule}'")
    n = int(words[0].rstrip("stndrh"))
    dues = []
    index = today.year * 12 + today.month - 1
    while len(dues) < count:
        due = nth_business_day(index // 12, index % 12 + 1, n)
        if due <= today:
            dues.append(due)
        index -= 1
    return dues


def main():
    before_path, after_path, today_text = sys.argv[1:4]
    today = day(today_text)
    before = sqlite3.connect(before_path)
    after = sqlite3.connect(after_path)
    tables = [row[0] for row in after.execute(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '\\_%' "
        "ESCAPE '\\' ORDER BY name")]
    sql = after.execute  # evaluation of a placeholder's date, to check each conversion

    def check(value, sql_text, args):
        got = sql(sql_text, args).fetchone()[0]
        if got != value:
            sys.exit(f"conversion check failed: {sql_text} {args} gave {got}, expected {value}")

    resource = {}
    items = {}
    for table in tables:
        columns = [row[1] for row in after.execute(f"PRAGMA table_info({table})")]
        if "id" not in columns:
            continue
        old = {row[0]: row for row in before.execute(f"SELECT {', '.join(columns)} FROM {table}")}
        rows = []
        for row in after.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY rowid"):
            values = dict(zip(columns, row))
            if row[0] in old:
                if tuple(old[row[0]]) == tuple(row):
                    continue
                # A seeded row the demo changed: only the changed columns.
                values = {"id": row[0]} | {c: v for c, v in values.items() if old[row[0]][columns.index(c)] != v}
                if any(c in DATE_COLUMNS.get(table, []) for c in values):
                    sys.exit(f"a changed seeded row holds a date: {table} {row[0]}")
                rows.append(values)
                continue
            if table == "information_item":
                items[values["id"]] = values
            rows.append(values)
        if rows:
            resource[table] = rows

    for table, rows in resource.items():
        for values in rows:
            convert(table, values, today, items, check)

    out = sys.stdout
    out.write("{\n")
    names = sorted(resource)
    for t, table in enumerate(names):
        out.write(f'  {json.dumps(table)}: [\n')
        rows = resource[table]
        for r, values in enumerate(rows):
            text = json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
            out.write("    " + text + (",\n" if r < len(rows) - 1 else "\n"))
        out.write("  ]" + (",\n" if t < len(names) - 1 else "\n"))
    out.write("}\n")


def convert(table, values, today, items, check):
    """Writes the row's dates as placeholders, checking each against SQLite's date() at `today`."""
    t = today.isoformat()
    if table in ("agreement", "review") or (table == "interface" and values.get("approved_on") is not None):
        for column in ["start_date", "end_date", "review_date", "approved_on"]:
            if values.get(column) is None:
                continue
            days = (day(values[column]) - today).days
            check(values[column], "SELECT date(?, ? || ' days')", (t, signed(days, "")))
            if table == "interface":
                months = values["review_interval_months"]
                check(values["next_review"], "SELECT date(?, ? || ' days', ? || ' months')",
                      (t, signed(days, ""), signed(months, "")))
                values["next_review"] = "{today" + signed(days, "d") + signed(months, "m") + "}"
            values[column] = "{today" + signed(days, "d") + "}"
    elif table == "interface":
        if values.get("next_review") is not None:
            sys.exit(f"an SPI with a next review but no approval date: {values['code']}")
    elif table == "service_level_result":
        months = month_index(values["period"]) - month_index(t)
        check(values["period"], "SELECT substr(date(?, 'start of month', ? || ' months'), 1, 7)",
              (t, signed(months, "")))
        check(values["recorded_on"], "SELECT date(?, '-2 days', ? || ' months')", (t, signed(months + 1, "")))
        values["period"] = "{month" + signed(months, "m") + "}"
        values["recorded_on"] = "{today-2d" + signed(months + 1, "m") + "}"
        del values["id"]
    elif table == "information_delivery":
        item = items[values["information_item_id"]]
        dues = previous_dues(item["due_rule"], item["frequency"], today, 12)
        index = next(i for i, due in enumerate(dues) if due.isoformat()[:7] == values["period"])
        due = dues[index]
        lateness = (day(values["delivered_on"]) - due).days
        placeholder = "{due" + str(index + 1) + ":period}"
        if values["ref"].count(values["period"]) != 1:
            sys.exit(f"a delivery's ref does not hold its period once: {values['ref']}")
        values["ref"] = values["ref"].replace(values["period"], placeholder)
        values["period"] = placeholder
        values["delivered_on"] = "{due" + str(index + 1) + signed(lateness, "d") + "}"
        del values["id"]


if __name__ == "__main__":
    main()
