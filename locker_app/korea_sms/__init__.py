"""Messages that Korean phones trust: a domestic sender (SOLAPI), SMS or LMS by measured size, 알림톡 with fallback.

Through Twilio a Korean phone shows "[국제발신]" and a foreign number, which residents are taught to read as
smishing; through a domestic provider it shows the district office's pre-registered number (발신번호 사전등록제).
Which sender a site uses comes from configuration (routing.py); the outbox, relay, retries, caps and resend
are the same for every sender (locker_app/sms/).
"""
