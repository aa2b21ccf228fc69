"""The HTTP side of the server around the Streamlit app: login sessions behind a cookie.

No Streamlit here: `sessions` keeps the server-side records, `tickets` carries a new
session from a script run to the browser, and `routes` are the two Starlette endpoints
that set and clear the cookie. components/auth.py ties them to the login form.
"""
