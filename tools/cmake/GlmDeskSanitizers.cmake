# glmdesk_enable_sanitizers("address,undefined"): applies to every target of the build, because a
# sanitized library linked into an unsanitized test (or the reverse) hides exactly the bugs we want.
function(glmdesk_enable_sanitizers list)
  if(NOT list)
    return()
  endif()
  if(NOT list MATCHES "^(address|undefined|thread|leak)(,(address|undefined|thread|leak))*$")
    message(FATAL_ERROR "GLMDESK_SANITIZE: unknown sanitizer list '${list}'")
  endif()
  add_compile_options($<$<COMPILE_LANGUAGE:C,CXX>:-fsanitize=${list}>
                      $<$<COMPILE_LANGUAGE:C,CXX>:-fno-omit-frame-pointer>
                      $<$<COMPILE_LANGUAGE:C,CXX>:-fno-sanitize-recover=all>)
  add_link_options(-fsanitize=${list})
endfunction()
