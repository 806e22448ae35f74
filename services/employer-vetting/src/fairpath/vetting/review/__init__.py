"""Reviewing a business: a compliance officer opens a vetting case (the business screened at once, an
agency's licence checked), a different one decides it on the risk (four eyes), and scheduled jobs keep
the decisions current. It sits above every other domain: cases, findings, licences, screening and risk."""
