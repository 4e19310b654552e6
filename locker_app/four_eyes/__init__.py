"""Four eyes on remote opens: opening a compartment that holds a parcel needs a second operator's approval
within 15 minutes, and the recipient is told by SMS (design.md, "Who may see and do what")."""
