"""Admin sessions kept on the server: the cookie carries only a random id, so ending a session is a delete
(sign-out, a password or scope change, "sign out everywhere"), and a copied cookie stops working.
See docs/adr/0012-admin-sessions-table.md."""
