/* Little-endian field access for the model file (lib/model_io.c,
 * lib/featmap.c): every multi-byte value is assembled byte by byte, so the
 * bytes do not depend on the host's endianness or alignment. Internal to
 * lib/; never installed. */
#ifndef HOGFEAT_LE_H
#define HOGFEAT_LE_H

#include <stdint.h>
#include <string.h>

static inline uint32_t rd_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint16_t rd_u16(const unsigned char *p)
{
    return (uint16_t)((unsigned)p[0] | (unsigned)p[1] << 8);
}

static inline uint64_t rd_u64(const unsigned char *p)
{
    return (uint64_t)rd_u32(p) | (uint64_t)rd_u32(p + 4) << 32;
}

static inline int32_t rd_i32(const unsigned char *p)
{
    uint32_t u = rd_u32(p);
    int32_t v;
    memcpy(&v, &u, sizeof v);
    return v;
}

static inline float rd_f32(const unsigned char *p)
{
    uint32_t u = rd_u32(p);
    float v;
    memcpy(&v, &u, sizeof v);
    return v;
}

static inline double rd_f64(const unsigned char *p)
{
    uint64_t u = rd_u64(p);
    double v;
    memcpy(&v, &u, sizeof v);
    return v;
}

static inline unsigned char *wr_u32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
    return p + 4;
}

static inline unsigned char *wr_u16(unsigned char *p, uint16_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    return p + 2;
}

static inline unsigned char *wr_u64(unsigned char *p, uint64_t v)
{
    p = wr_u32(p, (uint32_t)v);
    return wr_u32(p, (uint32_t)(v >> 32));
}

static inline unsigned char *wr_i32(unsigned char *p, int32_t v)
{
    uint32_t u;
    memcpy(&u, &v, sizeof u);
    return wr_u32(p, u);
}

static inline unsigned char *wr_f32(unsigned char *p, float v)
{
    uint32_t u;
    memcpy(&u, &v, sizeof u);
    return wr_u32(p, u);
}

static inline unsigned char *wr_f64(unsigned char *p, double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    return wr_u64(p, u);
}

#endif /* HOGFEAT_LE_H */
