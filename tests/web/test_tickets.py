from web.tickets import Grant, Tickets


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_ticket_is_good_once() -> None:
    tickets = Tickets()
    ticket = tickets.issue("session", max_age=60)
    assert "session" not in ticket
    assert tickets.redeem(ticket) == Grant("session", 60)
    assert tickets.redeem(ticket) is None


def test_a_ticket_expires() -> None:
    clock = Clock()
    tickets = Tickets(ttl=60, clock=clock)
    ticket = tickets.issue("session", max_age=60)
    clock.now = 61
    assert tickets.redeem(ticket) is None


def test_an_unknown_ticket_gives_nothing() -> None:
    tickets = Tickets()
    tickets.issue("session", max_age=60)
    assert tickets.redeem("") is None
    assert tickets.redeem("forged") is None
