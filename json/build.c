/* json/build.c - building values whose parts may fail to be made
 * (json/pjson.h). */
#include "json/pjson.h"

void pjson_push(json_t **array, json_t *value)
{
    if (!*array || json_array_append_new(*array, value) != 0) {
        if (!*array)
            json_decref(value); /* json_array_append_new took it otherwise */
        json_decref(*array);
        *array = NULL;
    }
}

void pjson_set(json_t **object, const char *key, json_t *value)
{
    if (!*object || json_object_set_new(*object, key, value) != 0) {
        if (!*object)
            json_decref(value);
        json_decref(*object);
        *object = NULL;
    }
}
