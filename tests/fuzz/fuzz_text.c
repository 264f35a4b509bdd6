/*
 * Fuzzes the parsers of short texts from the command line and the
 * database: the first byte picks one (addresses, CIDR prefixes, times,
 * sizes and numbers, label selectors as the store keeps them, check's
 * --flow), the rest is the text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "podflow/addr.h"
#include "podflow/arena.h"
#include "podflow/selector.h"
#include "podflow/timefmt.h"
#include "collector/config.h"
#include "policygen/flowspec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a = ARENA_INIT;
	struct flowspec flow;
	struct selector sel;
	unsigned long ul;
	struct cidr c;
	struct addr ad;
	uint64_t u64;
	int64_t t;
	char *text;

	if (size < 1)
		return 0;
	/* As the callers get them: NUL-terminated, cut at a NUL. */
	text = malloc(size);
	if (text == NULL)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	switch (data[0] % 8) {
	case 0:
		addr_parse(text, &ad);
		break;
	case 1:
		if (cidr_parse(text, &c) == 0)
			cidr_contains(&c, &c.net);
		break;
	case 2:
		timefmt_parse_rfc3339(text, &t);
		break;
	case 3:
		timefmt_parse_when(text, 1764633600, &t);
		break;
	case 4:
		config_parse_size(text, &u64);
		break;
	case 5:
		config_parse_uint(text, 1, 86400, &ul);
		break;
	case 6:
		selector_from_json(text, &a, &sel);
		break;
	case 7:
		if (flowspec_parse(text, &flow) == 0)
			flowspec_free(&flow);
		break;
	}
	arena_reset(&a);
	free(text);
	return 0;
}
