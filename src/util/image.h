/* Local images as data URLs for input_image content. */
#ifndef CODEX_UTIL_IMAGE_H
#define CODEX_UTIL_IMAGE_H

/* "data:image/png;base64,..." for a png/jpeg/gif/webp file, or NULL with
 * *err (caller frees) saying why not. */
char *image_data_url(const char *path, char **err);

#endif
