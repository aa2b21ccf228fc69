"""The only page registered while logged out."""

from components.login import login_form


def render() -> None:
    login_form()


if __name__ == "__main__":
    # Run directly by Streamlit's legacy pages/ discovery (a deep link to a fresh server):
    # hand over to the app, so the visitor gets its navigation, gate and sidebar.
    from app import run

    run()
