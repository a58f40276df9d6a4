/**
 * @file export.h
 * @brief Symbol visibility and deprecation macros used by every public header.
 *
 * The library is built with hidden visibility; only declarations marked
 * @c HOGFEAT_API are exported, and the linker version script
 * (@c lib/hogfeat.sym) assigns each of them to a version node.
 */
#ifndef HOGFEAT_EXPORT_H
#define HOGFEAT_EXPORT_H

#if defined(_WIN32) || defined(__CYGWIN__)
#  if defined(HOGFEAT_BUILDING_DLL)
#    define HOGFEAT_API __declspec(dllexport)
#  elif defined(HOGFEAT_STATIC)
#    define HOGFEAT_API
#  else
#    define HOGFEAT_API __declspec(dllimport)
#  endif
#elif defined(__GNUC__) && __GNUC__ >= 4
#  define HOGFEAT_API __attribute__((visibility("default")))
#else
#  define HOGFEAT_API
#endif

/** Marks a symbol that still works but will go at the next SONAME change. */
#if defined(__GNUC__) && (__GNUC__ > 4 || (__GNUC__ == 4 && __GNUC_MINOR__ >= 5))
#  define HOGFEAT_DEPRECATED(message) __attribute__((deprecated(message)))
#elif defined(_MSC_VER)
#  define HOGFEAT_DEPRECATED(message) __declspec(deprecated(message))
#else
#  define HOGFEAT_DEPRECATED(message)
#endif

#endif /* HOGFEAT_EXPORT_H */
