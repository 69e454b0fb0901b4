/* Unit tests for the conformance suite's shape checker. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "shape.h"

static int check(const char *spec, const char *json, char *err, size_t errlen)
{
	cJSON *j = cJSON_Parse(json);
	assert_non_null(j);
	int r = shape_check(spec, j, err, errlen);
	cJSON_Delete(j);
	return r;
}

static void expect_ok(const char *spec, const char *json)
{
	char err[512] = "";
	int r = check(spec, json, err, sizeof(err));
	if (r != 0)
		print_error("spec %s on %s: %s\n", spec, json, err);
	assert_int_equal(r, 0);
}

/* Fails, and the message contains want. */
static void expect_fail(const char *spec, const char *json, const char *want)
{
	char err[512] = "";
	assert_int_equal(check(spec, json, err, sizeof(err)), -1);
	if (!strstr(err, want))
		print_error("spec %s on %s: message '%s' lacks '%s'\n", spec, json, err, want);
	assert_non_null(strstr(err, want));
}

static void shape__base_types__accept_and_reject(void **state)
{
	expect_ok("str", "\"x\"");
	expect_fail("str", "1", "expected str, got number 1");
	expect_ok("nestr", "\"x\"");
	expect_fail("nestr", "\"\"", "expected nestr");
	expect_ok("num", "1.5");
	expect_ok("int", "3");
	expect_fail("int", "3.5", "expected int");
	expect_ok("bool", "false");
	expect_fail("bool", "0", "expected bool");
	expect_ok("null", "null");
	expect_ok("any", "{\"a\":[1]}");
	expect_ok("uuid", "\"ff6a8fc3-69d1-49ef-8bae-bb0061616299\"");
	expect_fail("uuid", "\"FF6A8FC3-69D1-49EF-8BAE-BB0061616299\"", "expected uuid");
	expect_fail("uuid", "\"not-a-uuid\"", "expected uuid");
	expect_ok("iso", "\"2026-11-30T03:49:22.099Z\"");
	expect_fail("iso", "\"2026-11-30T03:49:22Z\"", "expected iso");
	expect_fail("iso", "\"2026-11-30T03:49:22.099+00:00\"", "expected iso");
	expect_ok("hex64", "\"875c7830b679bfe33ac6531e71505fa42710579ab73b84ff3862129ad055efac\"");
	expect_fail("hex64", "\"875c\"", "expected hex64");
	expect_ok("hex16", "\"18332b88de2f9ef2\"");
	expect_ok("jwt", "\"eyJh.eyJz.bVfS-_x\"");
	expect_fail("jwt", "\"eyJh.eyJz\"", "expected jwt");
	expect_ok("msr", "\"msr_e0fdc7fcc9c4898d12eaa7df7fa77ffec8b277dbc39b949dd93cbfc4006c4c82"
			 "855453f4fc14f2ecfae1a605af1e3f03\"");
	expect_fail("msr", "\"msr_abc\"", "expected msr");
}

static void shape__literals__exact_values(void **state)
{
	expect_ok("'ok'", "\"ok\"");
	expect_fail("'ok'", "\"OK\"", "expected 'ok', got string \"OK\"");
	expect_ok("'it\\'s'", "\"it's\"");
	expect_ok("404", "404");
	expect_fail("404", "\"404\"", "expected 404");
	expect_ok("'a'|'b'", "\"b\"");
	expect_fail("'a'|'b'", "\"c\"", "nor any of 'a'|'b'");
}

static void shape__nullable__accepts_null_only_when_marked(void **state)
{
	expect_ok("str?", "null");
	expect_ok("str?", "\"x\"");
	expect_fail("str", "null", "expected str, got null");
	expect_ok("num|str?", "null");
	expect_ok("num|str", "\"3\"");
	expect_fail("num|str", "true", "nor any of num|str");
}

static void shape__objects__closed_by_default(void **state)
{
	expect_ok("{a:num,b:str?}", "{\"a\":1,\"b\":null}");
	expect_fail("{a:num}", "{\"a\":1,\"b\":2}", "at $: unexpected key \"b\"");
	expect_fail("{a:num,b:str}", "{\"a\":1}", "at $: missing key \"b\"");
	expect_ok("{a:num,b?:str}", "{\"a\":1}");
	expect_fail("{a:num,b?:str}", "{\"a\":1,\"b\":1}", "at $.b: expected str");
	expect_ok("{a:num,...}", "{\"a\":1,\"zz\":[]}");
	expect_ok("{*:[num]}", "{\"x\":[1],\"uncategorized\":[]}");
	expect_fail("{*:[num]}", "{\"x\":[\"1\"]}", "at $.x[0]: expected num");
	expect_ok("{}", "{}");
	expect_fail("{}", "[]", "expected an object, got array");
}

static void shape__arrays__elements_and_counts(void **state)
{
	expect_ok("[num]", "[]");
	expect_ok("[num]", "[1,2]");
	expect_fail("[num]", "[1,\"2\"]", "at $[1]: expected num");
	expect_ok("[num]#2", "[1,2]");
	expect_fail("[num]#1", "[1,2]", "expected 1 elements, got 2");
	expect_fail("[num]", "{}", "expected an array, got object");
	expect_ok("{servers:[{id:uuid}]#0}", "{\"servers\":[]}");
}

static void shape__nested__reports_the_path(void **state)
{
	expect_fail("{servers:[{id:uuid,memberCount:num|str}]}",
		    "{\"servers\":[{\"id\":\"ff6a8fc3-69d1-49ef-8bae-bb0061616299\","
		    "\"memberCount\":null}]}",
		    "at $.servers[0].memberCount: expected num");
}

static const struct shape_def lib[] = {
	{ "ref", "{id:uuid,username:str}" },
	{ "msg", "{id:uuid,agent:@ref}" },
	{ "loop", "@loop" },
	{ NULL, NULL },
};

static void shape__named__library_references(void **state)
{
	shape_set_library(lib);
	expect_ok("[@msg]", "[{\"id\":\"ff6a8fc3-69d1-49ef-8bae-bb0061616299\",\"agent\":"
			    "{\"id\":\"ff6a8fc3-69d1-49ef-8bae-bb0061616299\",\"username\":\"a\"}}]");
	expect_fail("@msg", "{\"id\":\"ff6a8fc3-69d1-49ef-8bae-bb0061616299\",\"agent\":{}}",
		    "at $.agent: missing key \"id\"");
	expect_ok("@ref?", "null");
	expect_fail("@nope", "1", "unknown shape @nope");
	expect_fail("@loop", "1", "nest too deep");
	shape_set_library(NULL);
}

static void shape__bad_spec__is_an_error_not_a_match(void **state)
{
	expect_fail("{a:}", "{}", "bad spec");
	expect_fail("{a:num", "{}", "bad spec");
	expect_fail("strng", "\"x\"", "bad spec: unknown type");
	expect_fail("[num]#", "[]", "bad spec");
	expect_fail("'open", "\"x\"", "bad spec: unterminated");
	expect_fail("num num", "1", "bad spec: trailing text");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(shape__base_types__accept_and_reject),
		cmocka_unit_test(shape__literals__exact_values),
		cmocka_unit_test(shape__nullable__accepts_null_only_when_marked),
		cmocka_unit_test(shape__objects__closed_by_default),
		cmocka_unit_test(shape__arrays__elements_and_counts),
		cmocka_unit_test(shape__nested__reports_the_path),
		cmocka_unit_test(shape__named__library_references),
		cmocka_unit_test(shape__bad_spec__is_an_error_not_a_match),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
