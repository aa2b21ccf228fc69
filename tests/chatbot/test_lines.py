"""The lead: the lines of the found passages that answer the question."""

from chatbot.lines import Lead, lead, units


def test_a_better_line_in_the_second_passage_leads() -> None:
    passages = [
        ("Token", "The token is a secret. Keep the token out of logs."),
        ("Token › Rotation", "Rotate the token every 90 days from the Settings page."),
    ]
    best = lead(passages, "How often do I rotate the token?", {"token": 0.1, "rotate": 3.0})
    assert best.passage == 1
    assert best.text.startswith("Rotate the token every 90 days")


def test_a_heading_that_names_the_question_lifts_its_short_section() -> None:
    passages = [
        ("Button", "The button sends a form. It has a size."),
        ("Button › Details", "Defaults to medium."),
    ]
    best = lead(passages, "What is the default size of the button?", {"default": 2.0})
    assert (best.passage, best.text) == (1, "Defaults to medium.")
    passages[1] = ("Button › Default size", "It is medium unless set.")
    assert lead(passages, "button default size?", {"default": 2.0}).passage == 1


def test_rare_terms_outweigh_common_ones() -> None:
    text = "Configure the server with a file. Set crlfDelay to Infinity for CRLF input."
    weights = {"configure": 0.2, "crlfdelay": 5.0}
    assert lead([("", text)], "configure crlfDelay", weights).text.startswith("Set crlfDelay")


def test_the_two_lines_after_the_best_one_come_along() -> None:
    text = "Intro. To rotate the token, open Settings. Then press Save. It is 90 days. Other."
    assert lead([("", text)], "rotate token").text == (
        "To rotate the token, open Settings.\n\nThen press Save.\n\nIt is 90 days."
    )


def test_a_code_block_is_one_unit_and_comes_with_its_introduction() -> None:
    text = "Start it like this:\n\n```sh\nkura run\n\nkura status\n```\n\nDone."
    assert units(text) == ["Start it like this:", "```sh\nkura run\n\nkura status\n```", "Done."]
    assert lead([("", text)], "kura status").text.startswith("Start it like this:\n\n```sh")


def test_nothing_matching_gives_the_best_passage_whole() -> None:
    assert lead([("A", "First passage."), ("B", "Second.")], "zebra") == Lead(0, "First passage.")


def test_a_table_row_and_a_list_item_are_units_of_their_own() -> None:
    table = "| option | default |\n| --- | --- |\n| timeout | 30 |\n| retries | 3 |"
    assert units(table) == [
        "| option | default |\n| --- | --- |\n| timeout | 30 |",
        "| option | default |\n| --- | --- |\n| retries | 3 |",
    ]
    assert lead([("", table)], "default retries", {"retries": 3.0}).text.endswith(
        "| --- | --- |\n| retries | 3 |"
    )
    listing = "- first item\n  continued\n- second item\n  - nested\n1. numbered"
    assert units(listing) == [
        "- first item\n  continued",
        "- second item\n  - nested",
        "1. numbered",
    ]


def test_rows_of_one_table_are_quoted_under_one_header() -> None:
    table = "| option | default |\n| --- | --- |\n| timeout | 30 s |\n| retries | 3 |"
    text = lead([("", table)], "timeout retries default", {}, limit=200).text
    assert text == table


def test_a_sentence_ending_on_a_colon_brings_the_list_or_table_it_introduces() -> None:
    items = "\n".join(f"- `repo{n}` for task {n}" for n in range(1, 7))
    text = f"The scopes a token needs are as follows:\n\n{items}\n\nNothing else is asked for."
    answer = lead([("Tokens", text)], "Which scopes does a token need?").text
    assert answer.startswith(f"The scopes a token needs are as follows:\n\n{items}")

    plain = text.replace("as follows:", "listed below.")
    answer = lead([("Tokens", plain)], "Which scopes does a token need?").text
    assert "repo3" not in answer  # only the two lines after it, as after any sentence

    japanese = (
        "トークンの権限は次のとおりです:\n\n| 権限 | 用途 |\n| --- | --- |\n"
        "| repo | データの読み書き |\n| workflow | バックアップの実行 |"
    )
    assert lead([("", japanese)], "トークンの権限は?").text == japanese
