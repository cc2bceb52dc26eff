"""Payments: card checks and the payment-gateway adapter.

Not a web domain (no blueprint): a library the users domain (saved cards)
and the bookings domain (charges) call. Card numbers pass through
`cards.check_card` and `gateway.tokenise` and are never stored or logged;
what is kept is the gateway's token, the brand, the last four digits and the
expiry.
"""
