"""The locker agent: the program on the kiosk computer that drives the lock boards and is the touchscreen
page's local gateway to the service. It imports nothing from locker_app: it talks HTTP to the service and
serial to the boards, so it installs on a kiosk alone."""
