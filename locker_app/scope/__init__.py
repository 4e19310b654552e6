"""Admin scope: the districts whose sites an admin sees and acts on (design.md, "Who may see and do what").

One mechanism enforces it: `orm.activate(session, scope)` (called once per admin request, in the admin
guard) makes every ORM query in that session see only the scope's sites and the rows that belong to them
(any mapped class with a `site_id` column). Views and services query as before; what is outside the scope
is simply not found (404). See docs/adr/0011-admin-scope-in-the-orm.md.
"""
