# rapidesk_target_defaults(TARGET): the warning and sanitizer flags every Rapidesk
# target is built with, so a newcomer's target cannot silently build with fewer checks.
function(rapidesk_target_defaults target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow
    -Wnon-virtual-dtor -Wcast-align -Woverloaded-virtual -Wimplicit-fallthrough)
  if(RAPIDESK_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

if(RAPIDESK_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
