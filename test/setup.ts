// Test bootstrap: no test reaches the network; loopback (where test platforms listen) stays open.
import nock from 'nock'

nock.disableNetConnect()
nock.enableNetConnect((host) => /^(127\.0\.0\.1|localhost|\[::1\]|[a-z0-9.-]+\.localhost)(:\d+)?$/i.test(host))
