/* Colours and text attributes of one terminal cell.
 *
 * Colours are written as 24-bit RGB by the widgets; the renderer maps them
 * down to what the terminal can show (256 or 16 colours, or none), so no
 * widget has to know the terminal's colour depth. */
#ifndef CODEX_TUI_STYLE_H
#define CODEX_TUI_STYLE_H

#include <stdbool.h>
#include <stdint.h>

/* A colour: 0 is the terminal's default; otherwise the top byte says what
 * the low bytes are. */
typedef uint32_t tcolor;
#define TC_DEFAULT 0u
#define TC_KIND_RGB 0x01000000u
#define TC_KIND_INDEX 0x02000000u
#define TC_RGB(r, g, b) (TC_KIND_RGB | ((uint32_t)(r) << 16) | ((uint32_t)(g) << 8) | (uint32_t)(b))
#define TC_HEX(x) (TC_KIND_RGB | ((uint32_t)(x)&0xffffffu))
#define TC_INDEX(n) (TC_KIND_INDEX | ((uint32_t)(n)&0xffu))

enum {
    TA_BOLD = 1 << 0,
    TA_DIM = 1 << 1,
    TA_ITALIC = 1 << 2,
    TA_UNDERLINE = 1 << 3,
    TA_REVERSE = 1 << 4,
    TA_STRIKE = 1 << 5,
};

struct tstyle {
    tcolor fg;
    tcolor bg;
    uint16_t attrs;
};

#define TSTYLE_PLAIN ((struct tstyle){0, 0, 0})

static inline struct tstyle tstyle_fg(tcolor fg)
{
    return (struct tstyle){fg, TC_DEFAULT, 0};
}

static inline struct tstyle tstyle_attr(uint16_t attrs)
{
    return (struct tstyle){TC_DEFAULT, TC_DEFAULT, attrs};
}

static inline struct tstyle tstyle_fga(tcolor fg, uint16_t attrs)
{
    return (struct tstyle){fg, TC_DEFAULT, attrs};
}

static inline bool tstyle_eq(struct tstyle a, struct tstyle b)
{
    return a.fg == b.fg && a.bg == b.bg && a.attrs == b.attrs;
}

/* What the terminal can show. */
enum tcolor_depth {
    TC_DEPTH_NONE, /* NO_COLOR or a dumb terminal: attributes only */
    TC_DEPTH_16,
    TC_DEPTH_256,
    TC_DEPTH_TRUE,
};

#endif
