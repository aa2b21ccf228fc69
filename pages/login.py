"""The only page registered while logged out."""

from components.login import login_form


def render() -> None:
    login_form()


if __name__ == "__main__":
    render()
