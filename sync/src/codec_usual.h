// The fast paths for decoding the two large bodies: one pass over the body that writes the
// ops directly, for bodies of the shape Rapidesk writes them:
//   push (encode_push, the server's side): the three envelope members, ops with the op
//     members and no others ("base" may be left out);
//   pull page (encode_pull, the client's side): protocol, ops, cursor and more, entries with
//     the op members, author, origin, seq and outcome ("base", "author", "origin" may be
//     left out);
// scalar values, strings without \u escapes, integers of at most 18 digits. Building a JSON
// document first took about a sixth of the server's time taking pushes, and a third of a
// new profile's first sync.
//
// They only ever accept: a body one decodes is one the general decoder (decode_push_general,
// decode_pull_general) decodes to the same result. Anything else (another shape, a member
// twice, a refused op, any problem at all) returns false without judging it, and the general
// decoder then decodes the body and explains what is wrong. The fuzz entry point checks
// that they agree.
#pragma once

#include <string_view>

#include "rapidesk/sync/codec.h"

namespace rapidesk::sync::detail {

// True: `out` holds the decoded push, every op accepted. False: `out` is unspecified.
bool decode_usual_push(std::string_view body, const CodecLimits& limits, DecodedPush& out);
// True: `out` holds the decoded page, every entry accepted. False: `out` is unspecified.
bool decode_usual_pull(std::string_view body, const CodecLimits& limits, DecodedPull& out);

}  // namespace rapidesk::sync::detail
