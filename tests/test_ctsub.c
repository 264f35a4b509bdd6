/*
 * Unit tests for ctsub's reading of a datagram (ctsub_read_datagram()):
 * only whole messages reach the callback, whatever their lengths claim.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <netinet/in.h>

#include <cmocka.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "collector/ctsub.h"
#include "support/ctmsg.h"
#include "support/testkit.h"

static int count_kinds(const struct nlmsghdr *nlh, enum ctsub_kind kind,
		       void *data)
{
	int *kinds = data;

	assert_non_null(nlh);
	kinds[kind]++;
	return 0;
}

/* Two events in one datagram: both read, each of its kind. */
static void test_messages_of_a_datagram(void **state)
{
	static uint32_t buf[2048];
	struct ctspec s = CTSPEC(TCP, "10.244.1.5", 40000, "10.244.2.7", 8080,
				 .id = 1);
	struct nlmsghdr *first = ctmsg_build(buf, IPCTNL_MSG_CT_NEW, 0, &s);
	size_t n = first->nlmsg_len;
	int kinds[CTSUB_FOREIGN + 1] = { 0 };

	(void)state;
	ctmsg_build((char *)buf + n, IPCTNL_MSG_CT_DELETE, 0, &s);
	n += ((struct nlmsghdr *)((char *)buf + n))->nlmsg_len;
	assert_int_equal(ctsub_read_datagram(buf, n, count_kinds, kinds), 2);
	assert_int_equal(kinds[CTSUB_NEW], 1);
	assert_int_equal(kinds[CTSUB_DESTROY], 1);
}

/*
 * A message claiming 2 GiB or more, after a whole one: libmnl reads the
 * length as a signed int, takes it for a fit and walks past the buffer
 * (found by tests/fuzz/fuzz_ctflow).  Only the whole one is read.
 */
static void test_a_length_past_the_datagram_ends_it(void **state)
{
	static uint32_t buf[2048];
	struct ctspec s = CTSPEC(UDP, "10.244.1.5", 5000, "10.244.2.7", 53,
				 .id = 2);
	struct nlmsghdr *first = ctmsg_build(buf, IPCTNL_MSG_CT_NEW, 0, &s);
	size_t n = first->nlmsg_len;
	struct nlmsghdr *bad = (struct nlmsghdr *)((char *)buf + n);
	int kinds[CTSUB_FOREIGN + 1] = { 0 };

	(void)state;
	memcpy(bad, first, first->nlmsg_len);
	n += first->nlmsg_len;
	bad->nlmsg_len = 0x80000010u;
	assert_int_equal(ctsub_read_datagram(buf, n, count_kinds, kinds), 1);
	bad->nlmsg_len = (uint32_t)(n + 4 - first->nlmsg_len);
	assert_int_equal(ctsub_read_datagram(buf, n, count_kinds, kinds), 1);
	bad->nlmsg_len = 8; /* shorter than a header */
	assert_int_equal(ctsub_read_datagram(buf, n, count_kinds, kinds), 1);
	/* Fewer bytes than a header: nothing. */
	assert_int_equal(ctsub_read_datagram(buf, 15, count_kinds, kinds), 0);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_messages_of_a_datagram),
		cmocka_unit_test(test_a_length_past_the_datagram_ends_it),
	};

	return cmocka_run_group_tests_name("ctsub", tests, NULL, NULL);
}
