#!/bin/sh
# A browser for tests: logs each URL it is given (one line in $SSO_BROWSER_LOG) and follows it
# with curl, redirects and all, as a signed-in user's browser would. Like a real browser
# launcher, it returns at once and leaves the page to load in the background. A person takes
# a moment to sign in: SSO_BROWSER_DELAY seconds (none unless set) before the page is followed.
printf '%s\n' "$1" >> "${SSO_BROWSER_LOG:?}"
(
    sleep "${SSO_BROWSER_DELAY:-0}"
    curl --silent --location --max-time 30 --output /dev/null "$1" </dev/null >/dev/null 2>&1
) &
