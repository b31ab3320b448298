# Cortex-M7 (i.MX RT1176 on the Coral Dev Board Micro) with Debian's arm-none-eabi GCC and
# newlib-nano, the flags of the coralmicro SDK plus -ffp-contract=off. The result is a bare
# ELF that qemu-arm-static runs through the syscall shim in m7/syscalls.c.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_CXX_COMPILER arm-none-eabi-g++)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(FW_M7_FLAGS "-mcpu=cortex-m7 -mfpu=fpv5-d16 -mfloat-abi=hard -mthumb -ffp-contract=off")
set(CMAKE_C_FLAGS_INIT "${FW_M7_FLAGS}")
set(CMAKE_CXX_FLAGS_INIT "${FW_M7_FLAGS} -fno-exceptions -fno-rtti")
set(CMAKE_EXE_LINKER_FLAGS_INIT "--specs=nano.specs -Wl,--gc-sections")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
