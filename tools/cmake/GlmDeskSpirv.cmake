# glmdesk_add_spirv(TARGET SYMBOL SHADER [DEFINES...]): GLSL compute shader -> SPIR-V at build time,
# written by glslc as a brace-less list of 32-bit words (<SYMBOL>.inc) that a .cpp #includes into a
# uint32_t array. Variants of one shader come from -D defines, so one .comp serves every format.
function(glmdesk_add_spirv target symbol shader)
  get_filename_component(_src "${shader}" ABSOLUTE)
  set(_dir "${CMAKE_CURRENT_BINARY_DIR}/spirv")
  set(_out "${_dir}/${symbol}.inc")
  file(MAKE_DIRECTORY "${_dir}")
  set(_defs)
  foreach(_d IN LISTS ARGN)
    list(APPEND _defs "-D${_d}")
  endforeach()
  add_custom_command(OUTPUT "${_out}"
    COMMAND "${GLMDESK_GLSLC}" -fshader-stage=compute --target-env=vulkan1.2 -O -Werror ${_defs}
            -I "${CMAKE_CURRENT_SOURCE_DIR}" -MD -MF "${_out}.d" -mfmt=num -o "${_out}" "${_src}"
    DEPENDS "${_src}" DEPFILE "${_out}.d"
    COMMENT "GLSL -> SPIR-V ${symbol}" VERBATIM)
  target_sources(${target} PRIVATE "${_out}")
  target_include_directories(${target} PRIVATE "${_dir}")
endfunction()
