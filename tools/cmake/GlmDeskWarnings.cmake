# Warnings are errors for our code only: targets link glmdesk_warnings, so third-party headers
# (GoogleTest, Qt, KSyntaxHighlighting) included as system headers never break the build.
add_library(glmdesk_warnings INTERFACE)
target_compile_options(glmdesk_warnings INTERFACE
  $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align
                            -Wformat=2 -Wimplicit-fallthrough -Werror>
  $<$<COMPILE_LANGUAGE:CUDA>:--Werror=all-warnings -Xcompiler=-Wall,-Wextra,-Werror>)
