# cmake --install: the binary, the shipped profiles and presets, the documents, the man page and the
# bash completion, in the GNU layout (docs/install.md). Every destination is relative to the prefix,
# so `cmake --install build --prefix DIR` and moving DIR afterwards both work: the binary finds
# ../share/scalebench from its own folder (records/search_path.cpp).
include(GNUInstallDirs)

# scalebench is defined in harness/; install(TARGETS) from another folder needs CMake 3.13.
install(TARGETS scalebench RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

file(GLOB scalebench_cluster_profiles CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/configs/clusters/*.json)
file(GLOB scalebench_sweep_presets CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/configs/sweeps/*.json)
install(FILES ${scalebench_cluster_profiles} DESTINATION ${CMAKE_INSTALL_DATADIR}/scalebench/clusters)
install(FILES ${scalebench_sweep_presets} DESTINATION ${CMAKE_INSTALL_DATADIR}/scalebench/sweeps)

file(GLOB scalebench_docs CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/docs/*.md)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${scalebench_docs} DESTINATION ${CMAKE_INSTALL_DOCDIR})
if(IS_DIRECTORY ${PROJECT_SOURCE_DIR}/docs/images)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/images DESTINATION ${CMAKE_INSTALL_DOCDIR})
endif()
install(FILES ${PROJECT_SOURCE_DIR}/docs/scalebench.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

# bash-completion loads completions/NAME on demand for the command NAME.
install(FILES ${PROJECT_SOURCE_DIR}/scripts/completion/scalebench.bash
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
        RENAME scalebench)
