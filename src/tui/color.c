#include "tui/color.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum tcolor_depth tcolor_depth_from_env(const char *no_color, const char *colorterm,
                                        const char *term)
{
    if (no_color && *no_color)
        return TC_DEPTH_NONE;
    if (term && strcmp(term, "dumb") == 0)
        return TC_DEPTH_NONE;
    if (colorterm && (strcmp(colorterm, "truecolor") == 0 || strcmp(colorterm, "24bit") == 0))
        return TC_DEPTH_TRUE;
    if (term && strstr(term, "256color"))
        return TC_DEPTH_256;
    return TC_DEPTH_16;
}

/* xterm's default values of the 16 ANSI colours. */
static const unsigned char ansi16[16][3] = {
    {0, 0, 0},       {205, 0, 0},     {0, 205, 0},   {205, 205, 0},
    {0, 0, 238},     {205, 0, 205},   {0, 205, 205}, {229, 229, 229},
    {127, 127, 127}, {255, 0, 0},     {0, 255, 0},   {255, 255, 0},
    {92, 92, 255},   {255, 0, 255},   {0, 255, 255}, {255, 255, 255},
};

static const unsigned char cube_levels[6] = {0, 95, 135, 175, 215, 255};

static void index_to_rgb(unsigned n, unsigned char rgb[3])
{
    if (n < 16) {
        memcpy(rgb, ansi16[n], 3);
    } else if (n < 232) {
        n -= 16;
        rgb[0] = cube_levels[n / 36];
        rgb[1] = cube_levels[(n / 6) % 6];
        rgb[2] = cube_levels[n % 6];
    } else {
        unsigned char v = (unsigned char)(8 + 10 * (n - 232));
        rgb[0] = rgb[1] = rgb[2] = v;
    }
}

static long dist2(const unsigned char a[3], const unsigned char b[3])
{
    long dr = (long)a[0] - b[0], dg = (long)a[1] - b[1], db = (long)a[2] - b[2];
    /* Weighted towards green, as the eye is. */
    return 2 * dr * dr + 4 * dg * dg + 3 * db * db;
}

static unsigned nearest_cube_level(unsigned char v)
{
    unsigned best = 0;
    for (unsigned i = 1; i < 6; i++)
        if (abs((int)cube_levels[i] - v) < abs((int)cube_levels[best] - v))
            best = i;
    return best;
}

static unsigned rgb_to_256(const unsigned char rgb[3])
{
    unsigned r = nearest_cube_level(rgb[0]), g = nearest_cube_level(rgb[1]),
             b = nearest_cube_level(rgb[2]);
    unsigned cube = 16 + 36 * r + 6 * g + b;
    unsigned char c[3];
    index_to_rgb(cube, c);
    int avg = (rgb[0] + rgb[1] + rgb[2]) / 3;
    int step = (avg - 8 + 5) / 10;
    if (step < 0)
        step = 0;
    if (step > 23)
        step = 23;
    unsigned gray = 232 + (unsigned)step;
    unsigned char gc[3];
    index_to_rgb(gray, gc);
    return dist2(rgb, gc) < dist2(rgb, c) ? gray : cube;
}

static unsigned rgb_to_16(const unsigned char rgb[3])
{
    unsigned best = 0;
    for (unsigned i = 1; i < 16; i++)
        if (dist2(rgb, ansi16[i]) < dist2(rgb, ansi16[best]))
            best = i;
    return best;
}

tcolor tcolor_reduce(tcolor c, enum tcolor_depth depth)
{
    if (c == TC_DEFAULT)
        return c;
    if (depth == TC_DEPTH_NONE)
        return TC_DEFAULT;
    unsigned char rgb[3];
    if ((c & 0xff000000u) == TC_KIND_INDEX) {
        unsigned n = c & 0xff;
        if (depth != TC_DEPTH_16 || n < 16)
            return c;
        index_to_rgb(n, rgb);
        return TC_INDEX(rgb_to_16(rgb));
    }
    if (depth == TC_DEPTH_TRUE)
        return c;
    rgb[0] = (unsigned char)(c >> 16);
    rgb[1] = (unsigned char)(c >> 8);
    rgb[2] = (unsigned char)c;
    return TC_INDEX(depth == TC_DEPTH_256 ? rgb_to_256(rgb) : rgb_to_16(rgb));
}

static void put_param(struct buf *out, bool *first, const char *p)
{
    if (!*first)
        buf_putc(out, ';');
    buf_puts(out, p);
    *first = false;
}

static void put_color(struct buf *out, bool *first, tcolor c, bool bg)
{
    char tmp[32];
    if (c == TC_DEFAULT) {
        put_param(out, first, bg ? "49" : "39");
    } else if ((c & 0xff000000u) == TC_KIND_INDEX) {
        unsigned n = c & 0xff;
        if (n < 8)
            snprintf(tmp, sizeof tmp, "%u", (bg ? 40 : 30) + n);
        else if (n < 16)
            snprintf(tmp, sizeof tmp, "%u", (bg ? 100 : 90) + n - 8);
        else
            snprintf(tmp, sizeof tmp, "%s;5;%u", bg ? "48" : "38", n);
        put_param(out, first, tmp);
    } else {
        snprintf(tmp, sizeof tmp, "%s;2;%u;%u;%u", bg ? "48" : "38", (c >> 16) & 0xff,
                 (c >> 8) & 0xff, c & 0xff);
        put_param(out, first, tmp);
    }
}

static const struct {
    uint16_t bit;
    const char *on;
} attr_codes[] = {
    {TA_BOLD, "1"},      {TA_DIM, "2"},     {TA_ITALIC, "3"},
    {TA_UNDERLINE, "4"}, {TA_REVERSE, "7"}, {TA_STRIKE, "9"},
};

void tcolor_sgr_change(struct buf *out, struct tstyle from, struct tstyle to)
{
    if (tstyle_eq(from, to))
        return;
    bool first = true;
    buf_puts(out, "\x1b[");
    /* Attributes cannot all be switched off one by one portably (bold and
     * dim share 22), so losing any of them starts from a reset. */
    if (from.attrs & ~to.attrs) {
        put_param(out, &first, "0");
        from = TSTYLE_PLAIN;
    }
    for (size_t i = 0; i < sizeof attr_codes / sizeof attr_codes[0]; i++)
        if ((to.attrs & attr_codes[i].bit) && !(from.attrs & attr_codes[i].bit))
            put_param(out, &first, attr_codes[i].on);
    if (to.fg != from.fg)
        put_color(out, &first, to.fg, false);
    if (to.bg != from.bg)
        put_color(out, &first, to.bg, true);
    if (first) /* nothing was added: a reset alone */
        buf_putc(out, '0');
    buf_putc(out, 'm');
}
