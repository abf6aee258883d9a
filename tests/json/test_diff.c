/* tests/json/test_diff.c - where two JSON values first differ
 * (json/diff.c): the pointer of the first difference in the writer's
 * order, with both values, for scalars, arrays of other lengths, missing
 * members on either side, members in another order, and keys that need
 * RFC 6901 escapes. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json/pjson.h"
#include "tests/testlib.h"

/* The difference between the JSON texts a and b, from base "/result". */
static int diff_texts(const char *a, const char *b, pjson_difference *d,
                      json_t **ja, json_t **jb)
{
    *ja = json_loads(a, JSON_DECODE_ANY, NULL);
    *jb = json_loads(b, JSON_DECODE_ANY, NULL);
    CHECK(*ja && *jb);
    return pjson_first_difference(*ja, *jb, "/result", d);
}

/* The text of v, or "(none)" for NULL, into buf. */
static const char *text_of(const json_t *v, char *buf, size_t size)
{
    if (!v)
        return "(none)";
    size_t len;
    char *t = pjson_write(v, &len);
    snprintf(buf, size, "%s", t ? t : "(oom)");
    free(t);
    return buf;
}

/* Checks that a and b first differ at pointer, with values va and vb
 * (their texts, or "(none)"). */
static void check_diff(const char *a, const char *b, const char *pointer,
                       const char *va, const char *vb)
{
    json_t *ja, *jb;
    pjson_difference d;
    char ba[256], bb[256];
    CHECK_EQ_INT(diff_texts(a, b, &d, &ja, &jb), 1);
    CHECK_STR(d.pointer, pointer);
    CHECK_STR(text_of(d.a, ba, sizeof ba), va);
    CHECK_STR(text_of(d.b, bb, sizeof bb), vb);
    free(d.pointer);
    json_decref(ja);
    json_decref(jb);
}

TEST(equal_trees_have_no_difference)
{
    json_t *ja, *jb;
    pjson_difference d;
    CHECK_EQ_INT(diff_texts("{\"a\":[1,2.5,{\"b\":null}],\"c\":\"x\"}",
                            "{\"a\":[1,2.5,{\"b\":null}],\"c\":\"x\"}", &d,
                            &ja, &jb),
                 0);
    CHECK(d.pointer == NULL && d.a == NULL && d.b == NULL);
    json_decref(ja);
    json_decref(jb);
}

TEST(first_of_several_differences_in_writer_order)
{
    check_diff("{\"a\":1,\"b\":[0.1,0.2,0.3],\"c\":2}",
               "{\"a\":1,\"b\":[0.1,0.25,0.35],\"c\":3}", "/result/b/1",
               "0.2", "0.25");
}

TEST(reals_differing_in_the_last_bit)
{
    /* 0.1 and the next double up: the writer writes both exactly, and
     * differently. */
    check_diff("[0.1]", "[0.10000000000000002]", "/result/0", "0.1",
               "0.10000000000000002");
}

TEST(integer_and_real_are_the_same_only_when_written_alike)
{
    json_t *i = json_integer(1), *r = json_real(1.0);
    size_t li, lr;
    char *ti = pjson_write(i, &li), *tr = pjson_write(r, &lr);
    pjson_difference d;
    int expected = strcmp(ti, tr) != 0;
    CHECK_EQ_INT(pjson_first_difference(i, r, "", &d), expected);
    if (expected)
        CHECK_STR(d.pointer, "");
    free(d.pointer);
    free(ti);
    free(tr);
    json_decref(i);
    json_decref(r);
}

TEST(a_type_change_differs_at_its_own_pointer)
{
    check_diff("{\"k\":null}", "{\"k\":0.5}", "/result/k", "null", "0.5");
    check_diff("{\"k\":[1]}", "{\"k\":{\"0\":1}}", "/result/k", "[1]",
               "{\"0\":1}");
    check_diff("{\"k\":true}", "{\"k\":false}", "/result/k", "true",
               "false");
    check_diff("{\"k\":\"1\"}", "{\"k\":1}", "/result/k", "\"1\"", "1");
}

TEST(a_longer_array_differs_at_the_first_index_the_shorter_lacks)
{
    check_diff("[1,2,3]", "[1,2,3,4]", "/result/3", "(none)", "4");
    check_diff("{\"x\":[[1,2],[3]]}", "{\"x\":[[1,2]]}", "/result/x/1",
               "[3]", "(none)");
    check_diff("[]", "[null]", "/result/0", "(none)", "null");
}

TEST(a_shorter_array_with_a_different_element_differs_at_that_element)
{
    check_diff("[1,2,3]", "[1,5]", "/result/1", "2", "5");
}

TEST(a_member_missing_on_either_side)
{
    /* missing in b: at the member, b has no value */
    check_diff("{\"a\":1,\"m\":{\"s\":2},\"z\":0}", "{\"a\":1,\"z\":0}",
               "/result/m", "{\"s\":2}", "(none)");
    /* missing in a: found after a's members are walked */
    check_diff("{\"a\":1}", "{\"a\":1,\"measurement\":{\"shots\":4}}",
               "/result/measurement", "(none)", "{\"shots\":4}");
    /* a member a lacks comes after a difference in a's members */
    check_diff("{\"a\":1,\"b\":2}", "{\"n\":0,\"a\":1,\"b\":3}", "/result/b",
               "2", "3");
}

TEST(the_same_members_in_another_order_differ_at_the_object)
{
    check_diff("{\"x\":{\"a\":1,\"b\":2}}", "{\"x\":{\"b\":2,\"a\":1}}",
               "/result/x", "{\"a\":1,\"b\":2}", "{\"b\":2,\"a\":1}");
}

TEST(keys_are_escaped_as_rfc_6901_says)
{
    check_diff("{\"a/b\":{\"c~d\":1}}", "{\"a/b\":{\"c~d\":2}}",
               "/result/a~1b/c~0d", "1", "2");
    check_diff("{\"\":1}", "{\"\":2}", "/result/", "1", "2");
}

TEST(strings_compare_byte_for_byte_including_nul)
{
    json_t *a = json_stringn("a\0b", 3), *b = json_stringn("a\0c", 3);
    pjson_difference d;
    CHECK_EQ_INT(pjson_first_difference(a, b, "", &d), 1);
    CHECK_STR(d.pointer, "");
    CHECK(d.a == a && d.b == b);
    free(d.pointer);
    json_decref(a);
    json_decref(b);
}

TEST(a_long_pointer_grows_its_buffer)
{
    /* 40 levels of a 20-byte key: a pointer of 840 bytes. */
    char a[4096], b[4096];
    size_t la = 0, lb = 0;
    for (int i = 0; i < 40; i++) {
        la += (size_t)snprintf(a + la, sizeof a - la, "{\"%s\":",
                               "abcdefghijklmnopqrst");
        lb += (size_t)snprintf(b + lb, sizeof b - lb, "{\"%s\":",
                               "abcdefghijklmnopqrst");
    }
    la += (size_t)snprintf(a + la, sizeof a - la, "1");
    lb += (size_t)snprintf(b + lb, sizeof b - lb, "2");
    for (int i = 0; i < 40; i++) {
        a[la++] = '}';
        b[lb++] = '}';
    }
    a[la] = b[lb] = '\0';
    json_t *ja, *jb;
    pjson_difference d;
    CHECK_EQ_INT(diff_texts(a, b, &d, &ja, &jb), 1);
    CHECK_EQ_INT(strlen(d.pointer), strlen("/result") + 40 * 21);
    CHECK(strncmp(d.pointer, "/result/abcdefghijklmnopqrst/", 29) == 0);
    free(d.pointer);
    json_decref(ja);
    json_decref(jb);
}
