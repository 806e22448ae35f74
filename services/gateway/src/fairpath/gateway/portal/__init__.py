"""The partner portal: server-rendered pages under /portal/, signed in with a session cookie."""
